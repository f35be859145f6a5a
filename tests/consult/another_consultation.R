# Reference figures from R's survey package for tests/consult/test_another_consultation.py.
#
# Reads data.csv (one row per complete response, a column per stored answer, NA = no answer),
# margins.csv (variable, code, share) and spec.csv (kind, name, a, b, codes, groups: which
# figures to compute; codes separated by spaces; groups: the groups a test covers, empty for all). Writes weights.csv (each row's raking weight) and
# values.csv (name, value with 17 significant digits). Knows nothing of the question set: the
# test names the columns, the groups and which answer codes count.
suppressMessages(library(survey))
d <- read.csv("data.csv")
n <- nrow(d)
shares <- read.csv("margins.csv")
spec <- read.csv("spec.csv", colClasses = "character")
values <- new.env()
put <- function(name, value) assign(name, as.numeric(value)[1], envir = values)
codes_of <- function(text) as.numeric(strsplit(text, " ")[[1]])
words_of <- function(text) strsplit(text, " ")[[1]]
hit <- function(column, codes) ifelse(is.na(d[[column]]), NA, as.numeric(d[[column]] %in% codes))

# Derived 0/1 columns (NA outside the figure's base), made before the design so that it holds them.
for (i in seq_len(nrow(spec))) {
  row <- spec[i, ]
  x <- paste0("x", i)
  if (row$kind == "share") {
    # Among those who answered a (and b, when named: a paired base).
    d[[x]] <- hit(row$a, codes_of(row$codes))
    if (row$b != "") d[[x]][is.na(d[[row$b]])] <- NA
  } else if (row$kind == "groups") {
    d[[x]] <- hit(row$a, codes_of(row$codes))
  } else if (row$kind == "paired") {
    # First minus second on the respondents who answered both.
    d[[x]] <- hit(row$a, codes_of(row$codes)) - hit(row$b, codes_of(row$codes))
  } else if (row$kind %in% c("average", "lift_average")) {
    firsts <- words_of(row$a)
    seconds <- if (row$kind == "lift_average") words_of(row$b) else firsts
    for (j in seq_along(firsts)) {
      both <- !is.na(d[[firsts[j]]]) & !is.na(d[[seconds[j]]])
      difference <- if (row$kind == "lift_average") {
        hit(firsts[j], codes_of(row$codes)) - hit(seconds[j], codes_of(row$codes))
      } else {
        hit(firsts[j], codes_of(row$codes))
      }
      d[[sprintf("%s_a%d", x, j)]] <- ifelse(both, difference, 0)
      d[[sprintf("%s_b%d", x, j)]] <- as.numeric(both)
    }
  }
}

# The grouping of a test over some of its groups only (NA elsewhere): the report tests only the
# groups whose figures are all shown.
tested_by <- function(row, x) {
  if (row$groups == "") row$b else paste0(x, "_by")
}
for (i in seq_len(nrow(spec))) {
  row <- spec[i, ]
  if (row$groups != "") {
    x <- paste0("x", i)
    d[[tested_by(row, x)]] <- ifelse(d[[row$b]] %in% codes_of(row$groups), d[[row$b]], NA)
  }
}

# Raking as the design does it: a weighting variable's answers outside the margins ("Zeg ik
# liever niet") form one category whose population share is their sample share; the listed
# categories share the rest in proportion.
population <- list()
samples <- list()
for (var in unique(shares$variable)) {
  m <- shares[shares$variable == var, ]
  column <- paste0("rk_", var)
  d[[column]] <- ifelse(d[[var]] %in% m$code, d[[var]], -1)
  s <- mean(d[[column]] == -1)
  f <- data.frame(code = c(m$code, if (s > 0) -1), Freq = n * c(m$share * (1 - s), if (s > 0) s))
  names(f)[1] <- column
  population[[var]] <- f
  samples[[var]] <- as.formula(paste0("~", column))
}
start <- suppressWarnings(svydesign(ids = ~1, data = d))
design <- rake(start, samples, population, control = list(maxit = 1000, epsilon = 1e-14))
w <- weights(design)
write.csv(data.frame(w = sprintf("%.17g", w)), "weights.csv", row.names = FALSE)
put("weights.respondents", n)
put("weights.cells", nrow(unique(d[, unique(shares$variable)])))
put("weights.min", min(w))
put("weights.max", max(w))
put("weights.effective_n", sum(w)^2 / sum(w^2))
put("weights.design_effect", n / (sum(w)^2 / sum(w^2)))

# A share's logit interval: svyciprop(method = "logit"), with its glm estimate. Where R's own glm
# breaks down (its estimate then differs from svymean's `estimate`), also "xlogit": the same
# interval by the delta method, without the fit.
share_figures <- function(key, sub, indicator, estimate) {
  ci <- suppressWarnings(svyciprop(indicator, sub, method = "logit"))
  put(paste0(key, ".glm"), coef(ci))
  put(paste0(key, ".lo"), attr(ci, "ci")[1])
  put(paste0(key, ".hi"), attr(ci, "ci")[2])
  if (!isTRUE(abs(coef(ci) - estimate) <= 1e-6)) {
    xci <- svyciprop(indicator, sub, method = "xlogit", na.rm = TRUE)
    put(paste0(key, ".xlo"), attr(xci, "ci")[1])
    put(paste0(key, ".xhi"), attr(xci, "ci")[2])
  }
}

# Every option's share of one answer column among those who gave it; by a group with svyby.
option_shares <- function(column, group) {
  keep <- !is.na(d[[column]])
  sub <- design[keep, ]
  levels <- sort(unique(d[[column]][keep]))
  m <- svymean(as.formula(sprintf("~factor(%s)", column)), sub, na.rm = TRUE)
  for (j in seq_along(levels)) {
    key <- sprintf("%s.%s", column, levels[j])
    put(paste0(key, ".est"), coef(m)[j])
    put(paste0(key, ".se"), SE(m)[j])
    share_figures(key, sub, as.formula(sprintf("~I(%s == %s)", column, levels[j])), coef(m)[j])
  }
  if (group != "") {
    by <- svyby(as.formula(sprintf("~factor(%s)", column)), as.formula(paste0("~", group)), sub,
                svymean, na.rm = TRUE)
    se <- SE(by)
    for (g in seq_len(nrow(by))) {
      for (j in seq_along(levels)) {
        key <- sprintf("%s%s.%s.%s", group, by[[group]][g], column, levels[j])
        put(paste0(key, ".est"), by[g, 1 + j])
        put(paste0(key, ".se"), se[g, j])
      }
    }
  }
}

mean_figures <- function(key, sub, column) {
  m <- svymean(as.formula(paste0("~", column)), sub, na.rm = TRUE)
  ci <- confint(m, df = degf(sub))
  put(paste0(key, ".est"), coef(m))
  put(paste0(key, ".se"), SE(m))
  put(paste0(key, ".lo"), ci[1])
  put(paste0(key, ".hi"), ci[2])
  put(paste0(key, ".df"), degf(sub))
}

# The mean of a numeric column (a number, a slider, an option's rank); by a group with svyby,
# and each group's interval on its own degrees of freedom.
average <- function(column, group) {
  keep <- !is.na(d[[column]])
  mean_figures(column, design[keep, ], column)
  if (group != "") {
    by <- svyby(as.formula(paste0("~", column)), as.formula(paste0("~", group)), design[keep, ],
                svymean, na.rm = TRUE)
    for (g in seq_len(nrow(by))) {
      key <- sprintf("%s%s.%s", group, by[[group]][g], column)
      put(paste0(key, ".est"), coef(by)[g])
      put(paste0(key, ".se"), SE(by)[g])
      inside <- keep & d[[group]] %in% by[[group]][g]
      if (sum(inside) > 1) {
        mean_figures(paste0(key, ".own"), design[inside, ], column)
      }
    }
  }
}

chisq <- function(key, sub, formula) {
  test <- svychisq(formula, sub, statistic = "F")
  put(paste0(key, ".F"), test$statistic)
  put(paste0(key, ".ndf"), test$parameter[1])
  put(paste0(key, ".ddf"), test$parameter[2])
  put(paste0(key, ".p"), test$p.value)
}

for (i in seq_len(nrow(spec))) {
  row <- spec[i, ]
  x <- paste0("x", i)
  if (row$kind == "options") {
    option_shares(row$a, row$b)
  } else if (row$kind == "mean") {
    average(row$a, row$b)
  } else if (row$kind == "share") {
    sub <- design[!is.na(d[[x]]), ]
    m <- svymean(as.formula(paste0("~", x)), sub, na.rm = TRUE)
    put(paste0(row$name, ".est"), coef(m))
    put(paste0(row$name, ".se"), SE(m))
    share_figures(row$name, sub, as.formula(sprintf("~I(%s == 1)", x)), coef(m))
  } else if (row$kind == "paired") {
    mean_figures(row$name, design[!is.na(d[[x]]), ], x)
  } else if (row$kind %in% c("average", "lift_average")) {
    k <- length(words_of(row$a))
    tops <- sprintf("%s_a%d", x, seq_len(k))
    bottoms <- sprintf("%s_b%d", x, seq_len(k))
    ratio <- svyratio(as.formula(paste("~", paste(tops, collapse = "+"))),
                      as.formula(paste("~", paste(bottoms, collapse = "+"))), design, covmat = TRUE)
    contrast <- svycontrast(ratio, setNames(rep(1 / k, k), paste0(tops, "/", bottoms)))
    put(paste0(row$name, ".est"), coef(contrast))
    put(paste0(row$name, ".se"), SE(contrast))
  } else if (row$kind == "groups") {
    # A share by each group of a weighting variable (svyby), and the Rao-Scott test between them.
    keep <- !is.na(d[[x]])
    sub <- design[keep, ]
    group <- as.formula(paste0("~", row$b))
    indicator <- as.formula(sprintf("~I(%s == 1)", x))
    m <- svyby(as.formula(paste0("~", x)), group, sub, svymean, na.rm = TRUE)
    ci <- suppressWarnings(svyby(indicator, group, sub, svyciprop, vartype = "ci", method = "logit"))
    broken <- !(abs(coef(ci) - coef(m)) <= 1e-6)
    if (any(broken %in% TRUE | is.na(broken))) {
      xci <- svyby(indicator, group, sub, svyciprop, vartype = "ci", method = "xlogit",
                   na.rm = TRUE)
    }
    for (g in seq_len(nrow(m))) {
      key <- sprintf("%s.%s%s", row$name, row$b, m[[row$b]][g])
      put(paste0(key, ".est"), coef(m)[g])
      put(paste0(key, ".se"), SE(m)[g])
      put(paste0(key, ".glm"), coef(ci)[g])
      put(paste0(key, ".lo"), ci$ci_l[g])
      put(paste0(key, ".hi"), ci$ci_u[g])
      if (!isFALSE(broken[g])) {
        put(paste0(key, ".xlo"), xci$ci_l[g])
        put(paste0(key, ".xhi"), xci$ci_u[g])
      }
    }
    by <- tested_by(row, x)
    chisq(paste0(row$name, ".test"), design[keep & !is.na(d[[by]]), ],
          as.formula(sprintf("~%s + %s", by, x)))
  } else if (row$kind == "chisq") {
    by <- tested_by(row, x)
    chisq(row$name, design[!is.na(d[[row$a]]) & !is.na(d[[by]]), ],
          as.formula(sprintf("~%s + %s", by, row$a)))
  } else {
    stop(sprintf("spec.csv line %d: unknown kind '%s'", i + 1, row$kind))
  }
}

names <- sort(ls(values))
write.csv(
  data.frame(name = names, value = sapply(names, function(k) sprintf("%.17g", get(k, values)))),
  "values.csv",
  row.names = FALSE
)
