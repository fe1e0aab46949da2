using System.CommandLine;
using Gateway.Cli.Policy;
using Gateway.Policy;

namespace Gateway.Cli;

/// <summary>The `gateway` command tree. Commands are thin: they parse, call a service, print.</summary>
internal static class GatewayCli
{
    public static int Run(string[] args) => Run(args, CliContext.FromConsole());

    public static int Run(string[] args, CliContext context)
    {
        var options = new GlobalOptions();
        var root = new RootCommand(
            "gateway: the egress gateway for sandboxes. Decides every outbound connection against a domain "
            + "policy, logs it and relays it.\n\nExamples:\n"
            + "  gateway run                                 # forward proxy on 127.0.0.1:3128, Balanced policy\n"
            + "  gateway policy allow network \"*.example.com\"\n"
            + "  gateway policy explain api.example.com:443")
        {
            options.StateDir,
            RunCommand.Create(context, options),
            options.Config,
            PolicyCommand.Create(context, options),
            Sandbox.SandboxLsCommand.Create(context, options),
            Ca.CaCommand.Create(context, options),
            CompletionCommand.Create(context),
        };

        ParseResult result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError error in result.Errors)
            {
                context.Error.WriteLine("gateway: " + error.Message);
            }

            context.Error.WriteLine("Run with --help for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return result.Invoke(new InvocationConfiguration
            {
                Output = context.Out,
                Error = context.Error,
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (CliException e)
        {
            context.Error.WriteLine("gateway: " + e.Message);
            return e.ExitCode;
        }
        catch (PolicyStoreException e)
        {
            context.Error.WriteLine("gateway: " + e.Message);
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            // The admin socket accepted but the daemon reset or stalled the request (stopping,
            // overloaded): one line, not a stack trace. Whatever the command wrote to the state
            // directory stays written; a running gateway also watches those files.
            context.Error.WriteLine($"gateway: the running gateway did not answer on its admin socket ({e.Message}); it may be stopping: retry, or check `gateway run`'s log");
            return ExitCodes.Failure;
        }
    }
}
