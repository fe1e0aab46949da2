using System.CommandLine;
using Gateway.Admin;
using PolicyCompiler.Groups;

namespace Gateway.Cli.Policy;

/// <summary>`gateway policy set-default allow-all|balanced|deny-all`: what non-interactive installs run.</summary>
internal static class PolicySetDefaultCommand
{
    public static Command Create(CliContext context, GlobalOptions options)
    {
        var policy = new Argument<string>("POLICY")
        {
            Description = "allow-all (everything), balanced (default deny plus the built-in groups), deny-all (nothing)",
        }.AcceptOnlyFromAmong([.. DefaultPolicies.Names]);
        var command = new Command(
            "set-default",
            "Choose the default network policy. Local rules are kept.\n\nExample:\n  gateway policy set-default balanced")
        {
            policy,
        };
        command.SetAction(async (result, cancellation) =>
        {
            string name = result.GetRequiredValue(policy);
            var sources = PolicyContext.Open(result, context, options);
            await sources.EditAsync(
                context,
                (admin, token) => AdminClient.TrySetDefaultAsync(admin, name, token),
                editor => editor.SetDefault(name),
                cancellation).ConfigureAwait(false);
            context.Out.WriteLine($"Default network policy: {name}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
