namespace Gateway.Policy;

/// <summary>
/// A policy edit the operator must fix, with every problem as one line that names the thing and
/// the fix. The admin API answers it as JSON errors; the CLI prints the lines, the last one as its failure.
/// </summary>
internal sealed class PolicyEditException(IReadOnlyList<string> errors, PolicyEditFailure failure)
    : Exception(string.Join("; ", errors))
{
    public PolicyEditException(string error, PolicyEditFailure failure = PolicyEditFailure.Invalid)
        : this([error], failure)
    {
    }

    /// <summary>Each problem, one line.</summary>
    public IReadOnlyList<string> Errors { get; } = errors;

    /// <summary>What kind of refusal it is.</summary>
    public PolicyEditFailure Failure { get; } = failure;
}
