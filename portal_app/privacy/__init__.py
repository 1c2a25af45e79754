"""The person's own data: "Download my data" (a zip of everything the portal and its apps hold about the
account, prepared in the background and linked by email)."""
