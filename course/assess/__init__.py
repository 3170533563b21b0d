"""Self-assessment instruments: their wording (``instruments/*.json``), scoring, storage and apps.

- :mod:`course.assess.competency` — individual community-manager competencies (issue #9);
- :mod:`course.assess.store` — answers saved as they are given, and anonymous contributions;
- :mod:`course.assess.app` — the Voilà app built from widgets (``dashboards/self_assessment.ipynb``);
- :mod:`course.assess.maturity` — organisation RSE maturity (issue #10), and
  :mod:`course.assess.maturity_app` its app (``dashboards/maturity.ipynb``);
- :mod:`course.assess.privacy` — small-group suppression for everything HR sees (``safe_table``);
- :mod:`course.assess.hr_app` — the HR view (``dashboards/hr.ipynb``), behind the token of
  :mod:`course.assess.hr_auth`.
"""
