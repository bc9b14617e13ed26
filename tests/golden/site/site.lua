-- The golden test site: every content feature once, under a base path.
return {
  title = "Golden & Co",
  description = "A site that uses every feature.",
  base_url = "https://example.com/help/",
  language = "en-GB",
  logo = "/img/logo.svg",
  colors = { primary = "#112233" },
  repository = { url = "https://git.example.com/golden", branch = "trunk", path = "site" },
  theme = "golden",
  tickets = {
    prefix = "GOLD",
    anonymous = true,
    types = {
      { id = "bug", label = "Bug report", fields = {
        { name = "subject", type = "text", label = "Subject", required = true, max = 100 },
        { name = "platform", type = "select", label = "Platform", options = { "Linux", "Mac" } },
        { name = "distro", type = "text", label = "Distribution", show_if = { field = "platform", equals = "Linux" } },
      } },
    },
  },
  options = { feed_limit = 2, changelog_per_page = 2, faq_per_page = 1, tags_per_page = 1 },
}
