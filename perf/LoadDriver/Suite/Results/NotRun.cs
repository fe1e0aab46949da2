namespace LoadDriver.Suite.Results;

/// <summary>A subject or scenario that was not measured, and why: the report prints the reason, never a figure.</summary>
internal sealed record NotRun(string Scenario, string Subject, string Reason);
