"""Organizing a consultation: question sets, waves, margins, invitation codes and monitoring."""
