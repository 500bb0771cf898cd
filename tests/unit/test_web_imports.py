"""A web worker does not load what only training needs: scikit-learn with SciPy (about 80 MB
of each worker's memory) is imported by the process that trains, when it does. Scoring an
applicant reads the exported card (analytics.card). Nor what only a few requests need, until
one comes: alembic (the migrations), a password's strength check, the PDF report, the
server-drawn images and calendar files (37 MB of each worker together, #26), nor openai when
no AI service is configured (17 MB)."""

import json
import subprocess
import sys

from settings import PROJECT_ROOT

TRAINING_ONLY = ("sklearn", "scipy", "threadpoolctl")
ON_DEMAND = ("alembic", "zxcvbn", "reportlab", "kaleido", "icalendar", "data.seed", "openai")


def test_the_web_app_imports_neither_training_nor_what_few_requests_need(tmp_path):
    script = (
        "import json, sys\n"
        "import app\n"
        "client = app.server.test_client()\n"
        "client.get('/healthz'), client.get('/readyz')  # a probe needs no alembic\n"
        f"loaded = [m for m in {TRAINING_ONLY + ON_DEMAND!r} if m in sys.modules]\n"
        "print(json.dumps(sorted(loaded)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'beacon.db'}",
            "BEACON_INSTANCE_DIR": str(tmp_path / "instance"),
            "BEACON_SCHEDULER": "off",
            "SECRET_KEY": "web-imports-test-" + "k" * 40,
        },
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_scoring_with_an_exported_card_needs_no_scikit_learn():
    script = (
        "import sys\n"
        f"for m in {TRAINING_ONLY!r}:\n"
        "    sys.modules[m] = None  # importing any of them now fails\n"
        "import pandas as pd\n"
        "from analytics.card import assess_with\n"
        "card = {'base_points': 600.0, 'factor': 28.85, 'offset': 487.1, 'characteristics': {\n"
        "    'age': [{'label': 'under 30', 'low': None, 'high': 30.0, 'categories': [],\n"
        "             'points': -10.0},\n"
        "            {'label': '30 or more', 'low': 30.0, 'high': None, 'categories': [],\n"
        "             'points': 5.0}]}}\n"
        "out = assess_with(card, pd.DataFrame({'age': [25, 41]}))\n"
        "print(out['score'].tolist(), out['reasons'].tolist())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[590, 605] [['age: under 30'], []]"
