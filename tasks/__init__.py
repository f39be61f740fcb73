"""Prefect tasks: each stage's wiring of files to the plain functions in ``archflow``.

A task reads its inputs, calls archflow, and writes its outputs whole (staged, then
swapped in), so a failure leaves the previous outputs where they were.
"""
