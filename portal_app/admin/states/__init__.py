"""The admin pages' states: thin, and each handler asks the database again who the staff member is."""
