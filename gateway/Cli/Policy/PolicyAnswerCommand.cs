using System.CommandLine;
using Gateway.Admin;
using Gateway.Approvals;
using Gateway.Configuration;

namespace Gateway.Cli.Policy;

/// <summary>`gateway policy approve ID [--for D] [--all-sandboxes]` and `gateway policy reject ID`: answer a pending approval.</summary>
internal static class PolicyAnswerCommand
{
    public static Command CreateApprove(CliContext context, GlobalOptions options)
    {
        var id = new Argument<string>("ID") { Description = "The pending approval's id, as `gateway policy pending` shows it" };
        var lifetime = new Option<string?>("--for")
        {
            Description = "Let the new rule decide for this long, then drop it (e.g. 30m, 2h, 1h30m)",
            HelpName = "DURATION",
        };
        var allSandboxes = new Option<bool>("--all-sandboxes")
        {
            Description = "Allow the host for every sandbox, not only the one that asked",
        };
        var command = new Command(
            "approve",
            "Approve a request waiting for approval: an allow rule for its host and port is added (for the sandbox that asked, "
            + "unless --all-sandboxes) and the waiting request goes on.\n\n"
            + "Examples:\n  gateway policy approve k3x9mq2a\n  gateway policy approve k3x9mq2a --for 1h\n  gateway policy approve k3x9mq2a --all-sandboxes")
        {
            id,
            lifetime,
            allSandboxes,
        };
        command.SetAction(async (result, cancellation) =>
        {
            TimeSpan? duration = PolicyAddCommand.ParseLifetime(result.GetValue(lifetime));
            GatewayConfig config = options.LoadConfig(result, context);
            ApprovalAnswer answer = await AdminClient.TryAnswerAsync(
                config.Listen.Admin, result.GetRequiredValue(id), approve: true, duration, result.GetValue(allSandboxes), cancellation).ConfigureAwait(false)
                ?? throw NoDaemon(config);
            string target = Target(answer);
            string rule = answer.RuleId is { } ruleId ? $"added {ruleId}" : "an equal local rule was there already";
            string scope = answer.Scope == "all" ? "every sandbox" : "sandbox " + answer.Sandbox;
            context.Out.WriteLine($"Approved {answer.Id}: allow {target} for {scope}"
                + (answer.ExpiresAt is { } expires ? $" until {RuleRow.FormatExpiry(expires)}" : string.Empty) + $" ({rule})");
            context.Out.WriteLine(answer.Released
                ? "The waiting request goes on."
                : "Its request had stopped waiting meanwhile; the next one is allowed.");
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command CreateReject(CliContext context, GlobalOptions options)
    {
        var id = new Argument<string>("ID") { Description = "The pending approval's id, as `gateway policy pending` shows it" };
        var command = new Command(
            "reject",
            "Reject a request waiting for approval: it gets its 403 now. No rule is added; the next request for the host asks again.\n\n"
            + "Example:\n  gateway policy reject k3x9mq2a")
        {
            id,
        };
        command.SetAction(async (result, cancellation) =>
        {
            GatewayConfig config = options.LoadConfig(result, context);
            ApprovalAnswer answer = await AdminClient.TryAnswerAsync(
                config.Listen.Admin, result.GetRequiredValue(id), approve: false, null, false, cancellation).ConfigureAwait(false)
                ?? throw NoDaemon(config);
            context.Out.WriteLine($"Rejected {answer.Id}: {Target(answer)} for sandbox {answer.Sandbox} is refused (403)");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Target(ApprovalAnswer answer) =>
        (answer.Host.Contains(':', StringComparison.Ordinal) ? "[" + answer.Host + "]" : answer.Host) + ":" + answer.Port;

    private static CliException NoDaemon(GatewayConfig config) =>
        new($"no gateway is running (no admin socket at {config.Listen.Admin}); pending approvals live in the running daemon");
}
