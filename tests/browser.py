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


class SlowPosts:
    """Routes the page's POSTs to `path`: each is logged (`log`: ("request"|"response", "autosave"|"form", status)),
    and the kinds named in `hold` wait in `held` until the test lets them go."""

    def __init__(self, page, path: str):
        self.log: list[tuple] = []
        self.hold: set[str] = set()
        self.held: list = []
        self.path = path
        page.route(lambda url: path in url, self._route)
        page.on("response", self._response)

    @staticmethod
    def kind(request) -> str:
        return "autosave" if request.headers.get("hx-request") else "form"

    def _route(self, route):
        if route.request.method != "POST":
            route.continue_()
            return
        kind = self.kind(route.request)
        self.log.append(("request", kind))
        if kind in self.hold:
            self.held.append(route)
        else:
            route.continue_()

    def _response(self, response):
        if response.request.method == "POST" and self.path in response.url:
            self.log.append(("response", self.kind(response.request), response.status))

    def release(self):
        held, self.held = self.held, []
        for route in held:
            route.continue_()

    def kinds(self) -> list[str]:
        return [f"{event[0]} {event[1]}" for event in self.log]


def wait_until(page, condition, seconds: float = 5.0) -> None:
    """Let the page run (its events are handled while waiting) until `condition()` holds."""
    for _ in range(int(seconds * 10)):
        if condition():
            return
        page.wait_for_timeout(100)
    raise AssertionError("the condition never held")
