"""The admin pages: one module each, framed by frame.admin_frame."""
