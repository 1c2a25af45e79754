"""Demo data for `portal seed-demo`: a published course of three modules with a video lesson, a quiz, a
dripped lesson and a certificate; the main demo account enrolled two days ago and two lessons in."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from portal_app.apps.courses import service
from portal_app.apps.courses.building import ChoiceSpec, LessonSpec, ModuleSpec, QuestionSpec, create_course
from portal_app.apps.courses.models import Enrolment, LessonCompletion
from portal_app.apps.courses.progress import lessons_in_order
from portal_app.kernel import clock
from portal_app.timeline import service as activity

DEMO_COURSE = "getting-started-with-demo-studio"

DEMO_MODULES = (
    ModuleSpec(
        "Set up your space",
        (
            LessonSpec(
                "welcome",
                "Welcome to Demo Studio",
                """Welcome! This course takes about **40 minutes** in total, and you can stop at any point:
your progress is saved as you mark each lesson complete.

## What you will learn

1. How to set up a calm, practical space for sessions
2. How to run a first session that clients remember
3. How to keep clients coming back, week after week

> Tip: keep a notebook next to you. Most lessons end with one small thing to try.

Questions? Write to [the studio](mailto:hello@example.com) at any time.
""",
            ),
            LessonSpec(
                "your-equipment",
                "The equipment you actually need",
                """You do not need much to start. This is the short list we recommend:

| Item | Why | Budget |
|:-----|:----|------:|
| Two mats | one for you, one spare | £40 |
| A timer | keeps sessions on time | £10 |
| A speaker | quiet background music | £30 |

Skip anything ~~expensive~~ you are not sure about: buy it once you miss it.
""",
            ),
        ),
    ),
    ModuleSpec(
        "Your first session",
        (
            LessonSpec(
                "before-the-session",
                "Before the session",
                """Send a short welcome message the day before. Say:

- where to come, and how to get in
- what to bring (water, comfortable clothes)
- how long the session lasts

Keep it to five lines. People read short messages.
""",
            ),
            LessonSpec(
                "running-the-session",
                "Running the session",
                """Start on time, even if someone is late. A simple structure works best:

1. **Arrive** (5 minutes): names, how everyone feels today
2. **Practise** (40 minutes): one theme, three exercises
3. **Close** (5 minutes): one thing to take home

Write the three exercises down in advance, like this:

```
warm-up: shoulders and neck
main: balance, standing
cool-down: breathing, lying down
```
""",
                video_url="https://www.youtube.com/watch?v=aqz-KE-bpKQ",
            ),
            LessonSpec(
                "session-check",
                "Quick check: your first session",
                "Three questions on what you just read. You need two right to pass, and you can try again.",
                kind="quiz",
                pass_percent=66,
                max_attempts=3,
                show_answers=True,
                questions=(
                    QuestionSpec(
                        "How long should the opening part of a session take?",
                        (
                            ChoiceSpec("About 5 minutes", True),
                            ChoiceSpec("About 20 minutes"),
                            ChoiceSpec("Half the session"),
                        ),
                    ),
                    QuestionSpec(
                        "What should you do when someone arrives late?",
                        (ChoiceSpec("Wait for them before starting"), ChoiceSpec("Start on time anyway", True)),
                    ),
                    QuestionSpec(
                        "Which belong in the message before a session?",
                        (
                            ChoiceSpec("Where to go", True),
                            ChoiceSpec("What to bring", True),
                            ChoiceSpec("Your full price list"),
                        ),
                        multiple=True,
                    ),
                ),
            ),
        ),
    ),
    ModuleSpec(
        "Keep clients coming back",
        (
            LessonSpec(
                "follow-up",
                "The follow-up message",
                """Within a day, thank people for coming and remind them of the one thing to take home.

Ask one question: *"What would you like more of next time?"* The answers plan your next month.
""",
            ),
            LessonSpec(
                "your-first-month",
                "Planning your first month",
                """Plan four sessions, one theme each, and publish the dates in one go.

- Week 1: foundations
- Week 2: balance
- Week 3: strength
- Week 4: a gentle review

That is the end of the course. Well done, and see you in the studio!
""",
                unlock_after_days=7,
            ),
        ),
    ),
)


def add_demo_course(session: Session, accounts: list) -> None:
    """Demo data: the course above, published, with the main demo account enrolled two days ago and two lessons done."""
    course = create_course(
        session,
        slug=DEMO_COURSE,
        title="Getting started with Demo Studio",
        description="Six short lessons and a quiz: set up your space, run your first session, and keep clients coming back.",
        published=True,
        certificate_enabled=True,
        modules=DEMO_MODULES,
    )
    main = accounts[0].id
    now = clock.now()
    enrolled_at = now - timedelta(days=2)
    session.add(Enrolment(account_id=main, course_id=course.id, enrolled_at=enrolled_at))
    activity.record(
        session, account_id=main, app_key=service.APP_KEY, kind="course_enrolled", summary=course.title, at=enrolled_at
    )
    for lesson in lessons_in_order(session, {course.id: enrolled_at})[course.id][:2]:
        session.add(LessonCompletion(account_id=main, course_id=course.id, lesson_id=lesson.id, completed_at=now))
        activity.record(
            session,
            account_id=main,
            app_key=service.APP_KEY,
            kind="lesson_completed",
            summary=f"{lesson.title} ({course.title})",
            at=now,
        )
