namespace Gateway.Policy;

/// <summary><c>POST /policy/reset</c>: what the reset deleted.</summary>
/// <param name="RemovedRules">Local rules that were in the store.</param>
/// <param name="PreviousDefault">The default chosen before, or null when none was.</param>
internal sealed record PolicyReset(int RemovedRules, string? PreviousDefault);
