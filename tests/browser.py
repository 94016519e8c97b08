"""What the browser tests share."""

PASSWORD = "motdepasse-solide-42"  # the password `user_create` gives every test account


def log_in(page, base_url: str, email: str, password: str = PASSWORD) -> None:
    """Log in as `email` through allauth's log-in form (any previous session dropped first), then wait for « Mon
    espace ». Field names rather than labels, so that it works under both themes."""
    page.context.clear_cookies()
    page.goto(base_url + "/compte/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/espace/**")
