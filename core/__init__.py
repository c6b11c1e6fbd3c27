"""Shared base of every component: errors and configuration."""
