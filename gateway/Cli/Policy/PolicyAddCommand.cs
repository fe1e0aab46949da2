using System.CommandLine;
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
        var network = new Command(
            "network",
            $"{(decision == RuleDecision.Allow ? "Allow" : "Deny")} network access to hosts.\n\nExamples:\n"
            + $"  gateway policy {verb} network api.example.com\n"
            + $"  gateway policy {verb} network \"api.example.com,*.example.org,example.net:8443\"")
        {
            resources,
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

            var policyContext = PolicyContext.Open(result, context, options);
            PolicyStore store = policyContext.Store;
            (StoredRule? added, List<string> present, StoredPolicy after) = store.Update(policy =>
            {
                (StoredPolicy next, StoredRule? rule, List<string> already) = LocalRules.Add(
                    policy, decision, patterns, context.Time.GetUtcNow());
                return (next, (rule, already, next));
            });

            await policyContext.NotifyDaemonAsync(cancellation).ConfigureAwait(false);
            foreach (string text in present)
            {
                context.Out.WriteLine($"{text}: already {(decision == RuleDecision.Allow ? "allowed" : "denied")} by a local rule");
            }

            if (added is not null)
            {
                context.Out.WriteLine($"Added local:{added.Id}: {verb} {string.Join(", ", added.Resources)}");
                if (decision == RuleDecision.Allow)
                {
                    WarnAboutShadowingDenies(context, policyContext, after, patterns);
                }
            }

            return ExitCodes.Ok;
        });

        return new Command(verb, $"{(decision == RuleDecision.Allow ? "Allow" : "Deny")} access; a deny beats any allow.\n\nExample:\n  gateway policy {verb} network api.example.com")
        {
            network,
        };
    }

    // An allow that a deny overrides does nothing; say so now rather than leave the
    // operator puzzling over a 403 later.
    private static void WarnAboutShadowingDenies(CliContext context, PolicyContext policyContext, StoredPolicy policy, List<RulePattern> patterns)
    {
        PolicySnapshot snapshot = SnapshotCompiler.Compile(policyContext.GlobalRules(policy));
        foreach (RulePattern pattern in patterns)
        {
            if (pattern.Kind is not (PatternKind.Exact or PatternKind.Address))
            {
                continue;
            }

            Decision decision = snapshot.Decide(pattern.Host.AsSpan(), pattern.Port == 0 ? 443 : pattern.Port, KitSet.None);
            if (decision.Reason == DecisionReason.DenyRule)
            {
                context.Error.WriteLine(
                    $"warning: {pattern.Text} stays blocked: deny rule {decision.RuleId} ({decision.Pattern}) wins over any allow; "
                    + $"remove it with `gateway policy rm network --id {decision.RuleId}`");
            }
        }
    }
}
