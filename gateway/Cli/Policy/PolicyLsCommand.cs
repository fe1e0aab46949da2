using System.CommandLine;
using System.Text.Json;
using Gateway.Admin;
using Gateway.Policy;
using PolicyCompiler.Kits;
using PolicyCompiler.Patterns;
using PolicyCompiler.Rules;

namespace Gateway.Cli.Policy;

/// <summary>`gateway policy ls`: the rules in force, built-in groups first.</summary>
internal static class PolicyLsCommand
{
    public static Command Create(CliContext context, GlobalOptions options)
    {
        Option<string?> type = PolicyCommand.TypeOption();
        Option<bool> json = PolicyCommand.JsonOption();
        var command = new Command(
            "ls",
            "List the rules in force: the default's built-in groups, then local rules, then kit rules (which apply only to sandboxes started with their kit). "
            + "SCOPE is \"all\" or the one sandbox a rule applies to (--sandbox); EXPIRES when a rule added with --for stops deciding (UTC).\n\n"
            + "Examples:\n  gateway policy ls\n  gateway policy ls --type network --json")
        {
            type,
            json,
        };
        command.SetAction(async (result, cancellation) =>
        {
            // Without --config the embedded defaults are not what a running daemon enforces: list
            // its rules in force (its kits' included); with --config, that file's, read here.
            var policy = PolicyContext.Open(result, context, options);
            List<RuleRow> rows = (result.GetValue(options.Config) is null
                ? await AdminClient.TryListRulesAsync(policy.Config.Listen.Admin, cancellation).ConfigureAwait(false)
                : null) ?? ListHere(policy);
            if (result.GetValue(json))
            {
                context.Out.WriteLine(JsonSerializer.Serialize(rows, CliJsonContext.Default.ListRuleRow));
                return ExitCodes.Ok;
            }

            var table = new TableWriter("ID", "TYPE", "DECISION", "SCOPE", "EXPIRES", "RESOURCES");
            foreach (RuleRow row in rows)
            {
                table.Add(row.Id, row.Type, row.Decision, row.Scope, row.ExpiresCell, string.Join(", ", row.Resources));
            }

            table.WriteTo(context.Out);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static List<RuleRow> ListHere(PolicyContext policy)
    {
        StoredPolicy stored = policy.Store.Load();
        List<PolicyRule> rules = policy.GlobalRules(stored);
        foreach (KitSpec kit in policy.LoadKits(stored, []))
        {
            rules.AddRange(kit.ToRules().Rules);
        }

        var rows = new List<RuleRow>(rules.Count);
        foreach (PolicyRule rule in rules)
        {
            rows.Add(ToRow(rule));
        }

        return rows;
    }

    public static RuleRow ToRow(PolicyRule rule)
    {
        var resources = new List<string>(rule.Resources.Length);
        foreach (RulePattern pattern in rule.Resources)
        {
            resources.Add(pattern.Text);
        }

        return new RuleRow(
            rule.DisplayId,
            PolicyRule.Type,
            rule.Decision == RuleDecision.Allow ? "allow" : "deny",
            resources,
            rule.Source.Display,
            rule.Scope,
            rule.ExpiresAt);
    }
}
