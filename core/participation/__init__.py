"""Public participation (公众参与) and the 试点工作专题 topic page.

- ``models``: feedback, interpretations (解读), responses to public concerns (回应关切), the topic
  page's short pages (工作动态, 经验做法) and each region's contact-retention setting;
- ``service``: the rules (feedback, moderation, answers, catalog changes from comments, purging
  contact details, interpretation deadlines on the working-day calendar, statistics);
- ``public``: the public pages and JSON (blueprint ``participation``);
- ``admin``: the unit's views (moderation and answers, interpretations, responses, pages, settings);
- ``flowchart``: the 公开流程图 as SVG from the region's own rules;
- ``cli``: ``zwgk participation purge`` and ``zwgk participation stats``.

The evaluation reads ``zwgk.participation.service.feedback_stats`` (see docs/participation.md).
"""
