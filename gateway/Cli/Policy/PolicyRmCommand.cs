using System.CommandLine;
using Gateway.Policy;
using PolicyCompiler.Groups;
using PolicyCompiler.Patterns;
using PolicyCompiler.Rules;

namespace Gateway.Cli.Policy;

/// <summary>`gateway policy rm network (--resource P | --id UUID)`: remove local rules.</summary>
internal static class PolicyRmCommand
{
    public static Command Create(CliContext context, GlobalOptions options)
    {
        var resource = new Option<string?>("--resource") { Description = "Remove this pattern from every local rule that has it", HelpName = "PATTERN" };
        var id = new Option<string?>("--id") { Description = "Remove the local rule with this id (with or without the local: prefix)", HelpName = "UUID" };
        var sandbox = new Option<string?>("--sandbox")
        {
            Description = "The rules scoped to this sandbox (without it: the rules that apply to every sandbox)",
            HelpName = "NAME",
        };
        var network = new Command(
            "network",
            "Remove a local network rule, by resource or by id. Built-in groups cannot be removed: deny what you do not want instead.\n\n"
            + "Examples:\n  gateway policy rm network --resource ads.example.com\n"
            + "  gateway policy rm network --id 2d3c1f0e-4a73-4e05-bc9d-f2f9a4b50d67\n"
            + "  gateway policy rm network --resource api.example.com --sandbox dev")
        {
            resource,
            id,
            sandbox,
        };
        network.Validators.Add(symbol =>
        {
            bool hasResource = symbol.GetResult(resource) is not null;
            bool hasId = symbol.GetResult(id) is not null;
            if (hasResource == hasId)
            {
                symbol.AddError("give exactly one of --resource PATTERN or --id UUID");
            }
        });
        network.SetAction(async (result, cancellation) =>
        {
            var policy = PolicyContext.Open(result, context, options);
            string? idValue = result.GetValue(id);
            string? scope = result.GetValue(sandbox);
            DateTimeOffset now = context.Time.GetUtcNow();
            int exit = idValue is not null
                ? RemoveById(context, policy.Store, idValue, scope, now)
                : RemoveResource(context, policy.Store, result.GetValue(resource)!, scope, now);
            await policy.NotifyDaemonAsync(cancellation).ConfigureAwait(false);
            return exit;
        });
        return new Command("rm", "Remove local rules.\n\nExample:\n  gateway policy rm network --resource ads.example.com") { network };
    }

    private static int RemoveById(CliContext context, PolicyStore store, string id, string? scope, DateTimeOffset now)
    {
        string bare = LocalRules.NormalizeId(id);
        if (BuiltInGroups.IsBuiltIn(bare))
        {
            throw new CliException($"\"{bare}\" is a built-in group and cannot be removed; block hosts in it with `gateway policy deny network HOST`, or switch defaults with `gateway policy set-default`");
        }

        StoredRule? removed = store.Update(policy =>
        {
            StoredPolicy live = LocalRules.WithoutExpired(policy, now);
            foreach (StoredRule rule in live.Rules)
            {
                if (string.Equals(rule.Id, bare, StringComparison.OrdinalIgnoreCase) && scope is not null && !rule.HasScope(scope))
                {
                    // Removing a rule the operator did not mean is worse than a second try.
                    throw new CliException($"local:{rule.Id} is a rule of {(rule.Sandbox is { } other ? "sandbox " + other : "every sandbox")}, not of sandbox {scope}; "
                        + $"drop --sandbox {scope}{(rule.Sandbox is { } right ? " or use --sandbox " + right : string.Empty)}");
                }
            }

            (StoredPolicy next, StoredRule? removedRule) = LocalRules.RemoveById(live, bare, now);
            return (next, removedRule);
        });
        if (removed is null)
        {
            throw new CliException($"no local rule has id {bare}; see `gateway policy ls` (a rule added with --for is gone once it expires)");
        }

        context.Out.WriteLine($"Removed local:{removed.Id} ({removed.Decision} {string.Join(", ", removed.Resources)})");
        return ExitCodes.Ok;
    }

    private static int RemoveResource(CliContext context, PolicyStore store, string text, string? scope, DateTimeOffset now)
    {
        if (!PatternParser.TryParse(text.Trim(' '), out RulePattern? pattern, out string? error))
        {
            throw new CliException(error!);
        }

        (int removed, List<string> elsewhere) = store.Update(policy =>
        {
            (StoredPolicy next, int count) = LocalRules.RemoveResource(policy, pattern!, scope, now);
            var scopes = new List<string>();
            foreach (StoredRule rule in next.Rules)
            {
                if (rule.Resources.Contains(pattern!.Text, StringComparer.Ordinal) && !rule.HasScope(scope) && rule.Sandbox is { } other && !scopes.Contains(other))
                {
                    scopes.Add(other);
                }
            }

            return (next, (count, scopes));
        });
        if (removed > 0)
        {
            context.Out.WriteLine($"Removed {pattern} from {removed} local rule{(removed == 1 ? string.Empty : "s")}"
                + (scope is null ? string.Empty : $" of sandbox {scope}"));
            return ExitCodes.Ok;
        }

        if (elsewhere.Count > 0)
        {
            throw new CliException($"no local rule {(scope is null ? "of every sandbox" : "of sandbox " + scope)} has resource {pattern}; "
                + $"rules scoped to {string.Join(", ", elsewhere)} do: add --sandbox {elsewhere[0]}");
        }

        foreach (PolicyRule group in BuiltInGroups.All)
        {
            if (group.Resources.Contains(pattern!))
            {
                throw new CliException($"{pattern} belongs to the built-in group {group.Id}, which cannot be removed; block it with `gateway policy deny network \"{pattern}\"`");
            }
        }

        throw new CliException($"no local rule has resource {pattern}; see `gateway policy ls`");
    }
}
