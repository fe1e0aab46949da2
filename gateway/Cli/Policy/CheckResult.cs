namespace Gateway.Cli.Policy;

/// <summary>`policy check --json`: one entry per file.</summary>
/// <param name="File">The file as given.</param>
/// <param name="Kind">"kit" or "config".</param>
/// <param name="Valid">True when the file has no problems.</param>
/// <param name="Summary">What the file holds, when valid.</param>
/// <param name="Errors">Every problem, "file:line: key: message".</param>
internal sealed record CheckResult(string File, string Kind, bool Valid, string? Summary, IReadOnlyList<string> Errors);
