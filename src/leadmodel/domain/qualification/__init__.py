"""qualification"""
