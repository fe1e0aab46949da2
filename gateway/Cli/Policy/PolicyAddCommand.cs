using System.CommandLine;
using Gateway.Admin;
using Gateway.Policy;
using PolicyCompiler.Rules;

namespace Gateway.Cli.Policy;

/// <summary>`gateway policy allow|deny network PATTERNS`: add a local rule.</summary>
internal static class PolicyAddCommand
{
    public static Command Create(string verb, CliContext context, GlobalOptions options)
    {
        RuleDecision decision = verb == "allow" ? RuleDecision.Allow : RuleDecision.Deny;
        var resources = new Argument<string>("PATTERNS")
        {
            Description = "Comma-separated hosts: example.com, *.example.com (subdomains, not the root), "
                + "** (everything), IP literals, localhost; each optionally :PORT",
        };
        var sandbox = new Option<string?>("--sandbox")
        {
            Description = "Apply the rule to this sandbox only (\"host\", a sandbox of the config, or one vmm registered)",
            HelpName = "NAME",
        };
        var lifetime = new Option<string?>("--for")
        {
            Description = "Let the rule decide for this long, then drop it (e.g. 30m, 2h, 1h30m); no reload needed",
            HelpName = "DURATION",
        };
        var network = new Command(
            "network",
            $"{(decision == RuleDecision.Allow ? "Allow" : "Deny")} network access to hosts.\n\nExamples:\n"
            + $"  gateway policy {verb} network api.example.com\n"
            + $"  gateway policy {verb} network \"api.example.com,*.example.org,example.net:8443\"\n"
            + $"  gateway policy {verb} network api.example.com --sandbox dev --for 2h")
        {
            resources,
            sandbox,
            lifetime,
        };
        network.SetAction(async (result, cancellation) =>
        {
            string patterns = result.GetRequiredValue(resources);
            string? forText = result.GetValue(lifetime);
            TimeSpan? duration = ParseLifetime(forText);
            string? scope = result.GetValue(sandbox);
            var policyContext = PolicyContext.Open(result, context, options);
            RuleAddition answer = await policyContext.EditAsync(
                context,
                (admin, token) => AdminClient.TryAddRuleAsync(admin, new RuleAddRequest(verb, patterns, scope, forText), token),
                editor => editor.Add(decision, patterns, scope, duration),
                cancellation).ConfigureAwait(false);
            Print(context, verb, answer);
            return ExitCodes.Ok;
        });

        return new Command(verb, $"{(decision == RuleDecision.Allow ? "Allow" : "Deny")} access; a deny beats any allow.\n\nExample:\n  gateway policy {verb} network api.example.com")
        {
            network,
        };
    }

    /// <summary>The <c>--for</c> of a rule: null when absent, a usage error when not a duration of at least 1s.</summary>
    public static TimeSpan? ParseLifetime(string? text) =>
        text is null ? null
        : RuleLifetime.TryParse(text, out TimeSpan duration, out string error) ? duration
        : throw new CliException(error, ExitCodes.Usage);

    private static void Print(CliContext context, string verb, RuleAddition answer)
    {
        string? scope = answer.Sandbox;
        foreach (string text in answer.AlreadyPresent)
        {
            context.Out.WriteLine($"{text}: already {(verb == "allow" ? "allowed" : "denied")} by a local rule"
                + (scope is null ? string.Empty : $" of sandbox {scope}"));
        }

        if (answer.Added is { } added)
        {
            context.Out.WriteLine($"Added local:{added.Id}: {verb} {string.Join(", ", added.Resources)}"
                + (scope is null ? string.Empty : $" for sandbox {scope}")
                + (added.ExpiresAt is { } expires ? $" until {RuleRow.FormatExpiry(expires)}" : string.Empty));
        }

        foreach (string warning in answer.Warnings)
        {
            context.Error.WriteLine("warning: " + warning);
        }
    }
}
