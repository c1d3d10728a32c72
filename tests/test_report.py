"""NNDL_REPORT_FILE: the test hook appends JSON lines when set, and does nothing otherwise."""

import json

from nndl_gui.report import report


def test_report_appends_json_lines_only_when_asked(tmp_path, monkeypatch):
    path = tmp_path / "report.jsonl"
    monkeypatch.delenv("NNDL_REPORT_FILE", raising=False)
    report("prediction", digit=3)
    assert not path.exists()
    monkeypatch.setenv("NNDL_REPORT_FILE", str(path))
    report("prediction", digit=3, outputs=[0.1, 0.9])
    report("prediction", digit=7)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines == [{"event": "prediction", "digit": 3, "outputs": [0.1, 0.9]}, {"event": "prediction", "digit": 7}]
