using System.CommandLine;
using Gateway.Configuration;
using Gateway.Policy;
using PolicyCompiler.Compilation;
using PolicyCompiler.Patterns;
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
            var patterns = new List<RulePattern>();
            var errors = new List<string>();
            if (!PatternParser.TryParseList(result.GetRequiredValue(resources), patterns, errors))
            {
                foreach (string error in errors.SkipLast(1))
                {
                    context.Error.WriteLine("gateway: " + error);
                }

                throw new CliException(errors[^1], ExitCodes.Failure);
            }

            DateTimeOffset now = context.Time.GetUtcNow();
            DateTimeOffset? expiresAt = ParseLifetime(result.GetValue(lifetime)) is { } duration ? now + duration : null;

            var policyContext = PolicyContext.Open(result, context, options);
            string? scope = result.GetValue(sandbox);
            if (scope is not null)
            {
                await policyContext.RequireKnownSandboxAsync(scope, cancellation).ConfigureAwait(false);
            }

            PolicyStore store = policyContext.Store;
            (StoredRule? added, List<string> present, StoredPolicy after) = store.Update(policy =>
            {
                (StoredPolicy next, StoredRule? rule, List<string> already) = LocalRules.Add(
                    policy, decision, patterns, now, scope, expiresAt);
                return (next, (rule, already, next));
            });

            await policyContext.NotifyDaemonAsync(cancellation).ConfigureAwait(false);
            foreach (string text in present)
            {
                context.Out.WriteLine($"{text}: already {(decision == RuleDecision.Allow ? "allowed" : "denied")} by a local rule"
                    + (scope is null ? string.Empty : $" of sandbox {scope}"));
            }

            if (added is not null)
            {
                context.Out.WriteLine($"Added local:{added.Id}: {verb} {string.Join(", ", added.Resources)}"
                    + (scope is null ? string.Empty : $" for sandbox {scope}")
                    + (expiresAt is { } expires ? $" until {RuleRow.FormatExpiry(expires)}" : string.Empty));
                if (decision == RuleDecision.Allow)
                {
                    WarnAboutShadowingDenies(context, policyContext, after, patterns, scope);
                }
            }

            return ExitCodes.Ok;
        });

        return new Command(verb, $"{(decision == RuleDecision.Allow ? "Allow" : "Deny")} access; a deny beats any allow.\n\nExample:\n  gateway policy {verb} network api.example.com")
        {
            network,
        };
    }

    /// <summary>The <c>--for</c> of a rule: null when absent, a usage error when not a duration of at least 1s.</summary>
    public static TimeSpan? ParseLifetime(string? text)
    {
        if (text is null)
        {
            return null;
        }

        return DurationSyntax.TryParse(text, out TimeSpan duration) && duration >= TimeSpan.FromSeconds(1)
            ? duration
            : throw new CliException($"--for \"{text}\" is not a duration of at least 1s; use e.g. 90s, 30m, 2h, 1h30m", ExitCodes.Usage);
    }

    // An allow that a deny overrides does nothing; say so now rather than leave the
    // operator puzzling over a 403 later.
    private static void WarnAboutShadowingDenies(CliContext context, PolicyContext policyContext, StoredPolicy policy, List<RulePattern> patterns, string? scope)
    {
        PolicySnapshot snapshot = SnapshotCompiler.Compile(policyContext.GlobalRules(policy));
        KitSet kits = scope is not null && snapshot.TryGetSandboxIndex(scope, out int index) ? KitSet.None.WithSandbox(index) : KitSet.None;
        foreach (RulePattern pattern in patterns)
        {
            if (pattern.Kind is not (PatternKind.Exact or PatternKind.Address))
            {
                continue;
            }

            Decision decision = snapshot.Decide(pattern.Host.AsSpan(), pattern.Port == 0 ? 443 : pattern.Port, kits);
            if (decision.Reason == DecisionReason.DenyRule)
            {
                context.Error.WriteLine(
                    $"warning: {pattern.Text} stays blocked: deny rule {decision.RuleId} ({decision.Pattern}) wins over any allow; "
                    + $"remove it with `gateway policy rm network --id {decision.RuleId}`");
            }
        }
    }
}
