using System.CommandLine;
using Gateway.Admin;
using Gateway.Policy;

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
            var request = new RuleRemoveRequest(result.GetValue(resource), result.GetValue(id), result.GetValue(sandbox));
            RuleRemoval removed = await policy.EditAsync(
                context,
                (admin, token) => AdminClient.TryRemoveRuleAsync(admin, request, token),
                editor => editor.Remove(request),
                cancellation).ConfigureAwait(false);
            if (removed.Removed is { } rule)
            {
                context.Out.WriteLine($"Removed local:{rule.Id} ({rule.Decision} {string.Join(", ", rule.Resources)})");
            }
            else
            {
                context.Out.WriteLine($"Removed {removed.Resource} from {removed.Count} local rule{(removed.Count == 1 ? string.Empty : "s")}"
                    + (removed.Sandbox is { } scope ? $" of sandbox {scope}" : string.Empty));
            }

            return ExitCodes.Ok;
        });
        return new Command("rm", "Remove local rules.\n\nExample:\n  gateway policy rm network --resource ads.example.com") { network };
    }
}
