"""Studies built on runs: sweeps, staffing, scenarios, calibration, validation, sensitivity,
event-log fitting and the published targets."""
