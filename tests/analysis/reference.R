# Reference figures from R's survey package for tests/analysis/test_against_r.py.
# Reads data.csv (one row per respondent, NA = no answer) and margins.csv (variable, code, share),
# writes weights.csv (one weight per row) and values.csv (name, value).
suppressMessages(library(survey))
d <- read.csv("data.csv")
n <- nrow(d)
shares <- read.csv("margins.csv")
values <- new.env()
put <- function(name, value) assign(name, as.numeric(value)[1], envir = values)

# Missing-demographic rule: codes outside the margins form one category whose population share
# is their sample share; the listed categories share the rest in proportion.
margin <- function(var) {
  m <- shares[shares$variable == var, ]
  s <- mean(!(d[[var]] %in% m$code))
  f <- data.frame(code = c(m$code, if (s > 0) 99), Freq = n * c(m$share * (1 - s), if (s > 0) s))
  names(f)[1] <- var
  f
}
variables <- unique(shares$variable)
population <- lapply(variables, margin)
samples <- lapply(variables, function(v) as.formula(paste0("~", v)))

# Derived per-respondent columns for the paired figures.
both <- !is.na(d$q1) & !is.na(d$q2)
d$lift <- ifelse(both, (d$q2 %in% 4:5) - (d$q1 %in% 4:5), NA)
rated12 <- !is.na(d$r1) & !is.na(d$r2)
d$diff12 <- ifelse(rated12, (d$r1 %in% 3) - (d$r2 %in% 3), NA)
# The grouping with group 3 left out (a test over the groups whose figures are all shown).
d$grp12 <- ifelse(d$grp %in% c(1, 2), d$grp, NA)
d$a1 <- as.numeric(d$q1 %in% 4:5)
d$b1 <- as.numeric(!is.na(d$q1))
d$a2 <- as.numeric(d$q2 %in% 4:5)
d$b2 <- as.numeric(!is.na(d$q2))

start <- suppressWarnings(svydesign(ids = ~1, data = d))
raked <- rake(start, samples, population, control = list(maxit = 1000, epsilon = 1e-14))
d$w <- weights(raked)
write.csv(data.frame(w = sprintf("%.17g", d$w)), "weights.csv", row.names = FALSE)
designs <- list(
  calibrated = raked,
  fixed = svydesign(ids = ~1, weights = ~w, data = d),
  unweighted = suppressWarnings(svydesign(ids = ~1, data = d))
)

props <- function(tag, design, item, keep) {
  sub <- design[keep, ]
  levels <- sort(unique(d[[item]][keep]))
  m <- svymean(as.formula(sprintf("~factor(%s)", item)), sub, na.rm = TRUE)
  for (j in seq_along(levels)) {
    key <- sprintf("%s.%s", tag, levels[j])
    put(paste0(key, ".est"), coef(m)[j])
    put(paste0(key, ".se"), SE(m)[j])
    ci <- suppressWarnings(
      svyciprop(as.formula(sprintf("~I(%s == %s)", item, levels[j])), sub, method = "logit")
    )
    put(paste0(key, ".glm"), coef(ci))
    put(paste0(key, ".lo"), attr(ci, "ci")[1])
    put(paste0(key, ".hi"), attr(ci, "ci")[2])
    # The same interval by the delta method on svymean, without svyglm's iterative fit.
    xci <- svyciprop(as.formula(sprintf("~I(%s == %s)", item, levels[j])), sub, method = "xlogit",
                     na.rm = TRUE)
    put(paste0(key, ".xlo"), attr(xci, "ci")[1])
    put(paste0(key, ".xhi"), attr(xci, "ci")[2])
  }
}

share <- function(tag, design, formula, keep) {
  sub <- design[keep, ]
  ci <- suppressWarnings(svyciprop(formula, sub, method = "logit"))
  m <- svymean(as.formula(paste0("~as.numeric(", deparse(formula[[2]]), ")")), sub, na.rm = TRUE)
  put(paste0(tag, ".est"), coef(m))
  put(paste0(tag, ".se"), SE(m))
  put(paste0(tag, ".lo"), attr(ci, "ci")[1])
  put(paste0(tag, ".hi"), attr(ci, "ci")[2])
}

average <- function(tag, design, variable, keep) {
  sub <- design[keep, ]
  m <- svymean(as.formula(paste0("~", variable)), sub, na.rm = TRUE)
  ci <- confint(m, df = degf(sub))
  put(paste0(tag, ".est"), coef(m))
  put(paste0(tag, ".se"), SE(m))
  put(paste0(tag, ".lo"), ci[1])
  put(paste0(tag, ".hi"), ci[2])
  put(paste0(tag, ".df"), degf(sub))
}

chisq <- function(tag, design, formula, keep) {
  test <- svychisq(formula, design[keep, ], statistic = "F")
  put(paste0(tag, ".F"), test$statistic)
  put(paste0(tag, ".ndf"), test$parameter[1])
  put(paste0(tag, ".ddf"), test$parameter[2])
  put(paste0(tag, ".p"), test$p.value)
}

answered <- !is.na(d$q1)
for (mode in names(designs)) {
  design <- designs[[mode]]
  props(paste0(mode, ".q1"), design, "q1", answered)
  for (g in sort(unique(d$grp[!is.na(d$grp)]))) {
    props(sprintf("%s.q1.grp%d", mode, g), design, "q1", answered & d$grp %in% g)
  }
  average(paste0(mode, ".x"), design, "x", !is.na(d$x))
  chisq(paste0(mode, ".chisq.grp"), design, ~grp + q1, answered & !is.na(d$grp))
  # Only the groups whose figures are all shown (here 1 and 2): the subset of the design.
  chisq(paste0(mode, ".chisq.grp12"), design, ~grp12 + q1, answered & !is.na(d$grp12))
  average(paste0(mode, ".lift"), design, "lift", both)
  share(paste0(mode, ".paired.q2"), design, ~I(q2 %in% 4:5), both)
  share(paste0(mode, ".paired.q1"), design, ~I(q1 %in% 4:5), both)
}

raked <- designs$calibrated
# svyby, the way a researcher asks for subgroup figures.
by <- svyby(~factor(q1), ~grp, raked[answered & !is.na(d$grp), ], svymean, na.rm = TRUE)
se <- SE(by)
for (g in seq_len(nrow(by))) {
  for (j in seq_len(ncol(se))) {
    put(sprintf("svyby.q1.grp%d.%d.est", by$grp[g], j), by[g, 1 + j])
    put(sprintf("svyby.q1.grp%d.%d.se", by$grp[g], j), se[g, j])
  }
}
byci <- svyby(~I(q1 %in% 4:5), ~grp, raked[answered & !is.na(d$grp), ], svyciprop,
              vartype = "ci", method = "logit")
for (g in seq_len(nrow(byci))) {
  put(sprintf("svyby.accept.grp%d.lo", byci$grp[g]), byci$ci_l[g])
  put(sprintf("svyby.accept.grp%d.hi", byci$grp[g]), byci$ci_u[g])
}
# A demographic with a refused category as the grouping, and as a chi-square variable.
for (a in sort(unique(d$age))) {
  props(sprintf("calibrated.q1.age%d", a), raked, "q1", answered & d$age == a)
}
chisq("calibrated.chisq.age", raked, ~age + q1, answered)
average("calibrated.x.grp1", raked, "x", !is.na(d$x) & d$grp %in% 1)

# Conditions battery: share necessary per row, paired difference of two rows.
for (r in c("r1", "r2", "r3", "r4")) {
  share(paste0("calibrated.necessary.", r), raked,
        as.formula(sprintf("~I(%s == 3)", r)), !is.na(d[[r]]))
}
average("calibrated.diff12", raked, "diff12", rated12)

# Average of two shares with different bases (a domain figure), with their covariance.
ratio <- svyratio(~a1 + a2, ~b1 + b2, raked, covmat = TRUE)
mean2 <- svycontrast(ratio, c("a1/b1" = 0.5, "a2/b2" = 0.5))
put("calibrated.average.est", coef(mean2))
put("calibrated.average.se", SE(mean2))

names <- sort(ls(values))
write.csv(
  data.frame(name = names, value = sapply(names, function(k) sprintf("%.17g", get(k, values)))),
  "values.csv",
  row.names = FALSE
)
