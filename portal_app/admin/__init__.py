"""The business owner's area at /admin: staff sign-in, settings, contacts, dashboard, audit.

Services (staff, staff_login, staff_sessions, audit, contacts, dashboard, business_settings) never
import Reflex; ui/ holds the pages and their states. Every page and handler checks the staff session.
"""
