using System.CommandLine;

namespace Gateway.Cli.Policy;

/// <summary>`gateway policy …`: manage the network policy, as `sbx policy` does.</summary>
internal static class PolicyCommand
{
    public static Command Create(CliContext context, GlobalOptions options) => new(
        "policy",
        "Manage the network policy: which hosts sandboxes may reach.\n\n"
        + "Works on the state directory directly; changes apply to new connections at once.\n\n"
        + "Examples:\n"
        + "  gateway policy ls\n"
        + "  gateway policy allow network \"api.example.com,*.example.org\"\n"
        + "  gateway policy explain api.example.com:443\n"
        + "  gateway policy log --limit 20")
    {
        PolicyLsCommand.Create(context, options),
        PolicyAddCommand.Create("allow", context, options),
        PolicyAddCommand.Create("deny", context, options),
        PolicyRmCommand.Create(context, options),
        PolicyResetCommand.Create(context, options),
        PolicySetDefaultCommand.Create(context, options),
        PolicyExplainCommand.Create(context, options),
        PolicyLogCommand.Create(context, options),
        PolicyPendingCommand.Create(context, options),
        PolicyAnswerCommand.CreateApprove(context, options),
        PolicyAnswerCommand.CreateReject(context, options),
        PolicyCheckCommand.Create(context),
    };

    /// <summary>The `--type` filter: only "network" exists.</summary>
    public static Option<string?> TypeOption() => new Option<string?>("--type")
    {
        Description = "Only rules of this type (network)",
        HelpName = "TYPE",
    }.AcceptOnlyFromAmong("network");

    /// <summary>The `--json` switch.</summary>
    public static Option<bool> JsonOption() => new("--json") { Description = "Print a JSON array instead of a table" };
}
