using System.CommandLine;
using Gateway.Admin;
using Gateway.Policy;

namespace Gateway.Cli.Policy;

/// <summary>`gateway policy reset [--force]`: delete the local policy store.</summary>
internal static class PolicyResetCommand
{
    public static Command Create(CliContext context, GlobalOptions options)
    {
        var force = new Option<bool>("--force") { Description = "Do not ask for confirmation (required when stdin is not a terminal)" };
        var command = new Command(
            "reset",
            "Delete all local rules, the chosen default and kit references; built-in groups stay. "
            + "Until `set-default` is run again, policy.initialDefault (balanced) applies.\n\n"
            + "Examples:\n  gateway policy reset\n  gateway policy reset --force")
        {
            force,
        };
        command.SetAction(async (result, cancellation) =>
        {
            var policy = PolicyContext.Open(result, context, options);
            PolicyStore store = policy.Store;
            if (!result.GetValue(force))
            {
                if (!context.InteractiveInput)
                {
                    throw new CliException("refusing to reset without --force: stdin is not a terminal to confirm on", ExitCodes.Usage);
                }

                context.Out.Write($"This deletes all local rules and the chosen default in {store.StateDirectory}. Continue? [y/N] ");
                string? answer = context.In.ReadLine()?.Trim();
                if (!string.Equals(answer, "y", StringComparison.OrdinalIgnoreCase)
                    && !string.Equals(answer, "yes", StringComparison.OrdinalIgnoreCase))
                {
                    context.Out.WriteLine("Reset cancelled; nothing was changed.");
                    return ExitCodes.Failure;
                }
            }

            await policy.EditAsync(
                context,
                (admin, token) => AdminClient.TryResetAsync(admin, token),
                editor => editor.Reset(),
                cancellation).ConfigureAwait(false);
            context.Out.WriteLine("Policy reset: local rules and the chosen default are gone. Choose a default with `gateway policy set-default allow-all|balanced|deny-all`.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
