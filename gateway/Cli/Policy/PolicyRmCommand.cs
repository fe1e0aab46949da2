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
        var network = new Command(
            "network",
            "Remove a local network rule, by resource or by id. Built-in groups cannot be removed: deny what you do not want instead.\n\n"
            + "Examples:\n  gateway policy rm network --resource ads.example.com\n"
            + "  gateway policy rm network --id 2d3c1f0e-4a73-4e05-bc9d-f2f9a4b50d67")
        {
            resource,
            id,
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
            int exit = idValue is not null
                ? RemoveById(context, policy.Store, idValue)
                : RemoveResource(context, policy.Store, result.GetValue(resource)!);
            await policy.NotifyDaemonAsync(cancellation).ConfigureAwait(false);
            return exit;
        });
        return new Command("rm", "Remove local rules.\n\nExample:\n  gateway policy rm network --resource ads.example.com") { network };
    }

    private static int RemoveById(CliContext context, PolicyStore store, string id)
    {
        string bare = LocalRules.NormalizeId(id);
        if (BuiltInGroups.IsBuiltIn(bare))
        {
            throw new CliException($"\"{bare}\" is a built-in group and cannot be removed; block hosts in it with `gateway policy deny network HOST`, or switch defaults with `gateway policy set-default`");
        }

        StoredRule? removed = store.Update(policy =>
        {
            (StoredPolicy next, StoredRule? rule) = LocalRules.RemoveById(policy, bare);
            return (next, rule);
        });
        if (removed is null)
        {
            throw new CliException($"no local rule has id {bare}; see `gateway policy ls`");
        }

        context.Out.WriteLine($"Removed local:{removed.Id} ({removed.Decision} {string.Join(", ", removed.Resources)})");
        return ExitCodes.Ok;
    }

    private static int RemoveResource(CliContext context, PolicyStore store, string text)
    {
        if (!PatternParser.TryParse(text.Trim(' '), out RulePattern? pattern, out string? error))
        {
            throw new CliException(error!);
        }

        int removed = store.Update(policy => LocalRules.RemoveResource(policy, pattern!));
        if (removed > 0)
        {
            context.Out.WriteLine($"Removed {pattern} from {removed} local rule{(removed == 1 ? string.Empty : "s")}");
            return ExitCodes.Ok;
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
