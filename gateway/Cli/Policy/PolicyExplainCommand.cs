using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Gateway.Admin;
using Gateway.Configuration;
using Gateway.Policy;
using Gateway.Sandboxes;
using PolicyCompiler.Compilation;
using PolicyCompiler.Hosts;
using PolicyCompiler.Kits;
using PolicyCompiler.Rules;

namespace Gateway.Cli.Policy;

/// <summary>`gateway policy explain HOST[:PORT]`: which rule decides, and why.</summary>
internal static class PolicyExplainCommand
{
    private const int DefaultPort = 443;

    public static Command Create(CliContext context, GlobalOptions options)
    {
        var target = new Argument<string>("HOST[:PORT]") { Description = "The host a sandbox would connect to; port 443 when omitted" };
        var sandbox = new Option<string>("--sandbox")
        {
            Description = "Decide as this sandbox would see it (its kits' rules apply too)",
            HelpName = "NAME",
            DefaultValueFactory = _ => "host",
        };
        var kits = new Option<string[]>("--kit")
        {
            Description = "Decide as a sandbox started with this kit's spec.yaml would (repeatable)",
            HelpName = "PATH",
            AllowMultipleArgumentsPerToken = false,
        };
        Option<bool> json = PolicyCommand.JsonOption();
        var command = new Command(
            "explain",
            "Show the decision for a host and the rule that makes it.\n\n"
            + "Examples:\n  gateway policy explain api.example.com\n  gateway policy explain example.org:8443 --json\n"
            + "  gateway policy explain api.example.test --kit ./my-kit/spec.yaml")
        {
            target,
            sandbox,
            kits,
            json,
        };
        command.SetAction(async (result, cancellation) =>
        {
            (string host, int port) = SplitTarget(result.GetRequiredValue(target));
            string sandboxName = result.GetRequiredValue(sandbox);
            string? canonical = HostCanonicalizer.Canonicalize(host, out _, out HostError hostError);
            if (canonical is null)
            {
                throw new CliException($"host \"{host}\": {HostErrorMessages.Describe(hostError)}");
            }

            // Without --config the embedded defaults are not what a running daemon enforces: ask
            // it (its kits, static and registered sandboxes); with --config or --kit, the question
            // is about those files, answered here.
            string? configFile = result.GetValue(options.Config);
            string[] kitPaths = result.GetValue(kits) ?? [];
            var policy = PolicyContext.Open(result, context, options);
            ExplainResult? explained = configFile is null && kitPaths.Length == 0
                ? await AdminClient.TryExplainAsync(policy.Config.Listen.Admin, host, canonical, port, sandboxName, cancellation).ConfigureAwait(false)
                : null;
            explained ??= ExplainHere(policy, host, canonical, port, sandboxName, kitPaths,
                configFile ?? $"built-in defaults (no --config, and no gateway running with state directory {policy.Config.StateDir})");
            if (result.GetValue(json))
            {
                context.Out.WriteLine(JsonSerializer.Serialize(new List<ExplainResult> { explained }, CliJsonContext.Default.ListExplainResult));
            }
            else
            {
                Print(context.Out, explained);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static ExplainResult ExplainHere(PolicyContext policy, string host, string canonical, int port, string sandboxName, string[] kitPaths, string configuration)
    {
        StoredPolicy stored = policy.Store.Load();
        List<KitSpec> loaded = policy.LoadKits(stored, kitPaths);
        PolicySnapshot snapshot = policy.Compile(stored, loaded);
        // The registry the daemon would load: the config's static sandboxes and those vmm
        // registered (persisted in the state directory), so every command knows the same names.
        var sandboxes = new SandboxRegistry(policy.Config.Sandboxes, policy.Config.StateDir);
        List<string> kitNames = SandboxKits(sandboxes, sandboxName, kitPaths, loaded);
        foreach (string name in kitNames)
        {
            if (!snapshot.TryGetKitIndex(name, out _))
            {
                throw new CliException($"sandbox \"{sandboxName}\" names kit \"{name}\", which no configured kit file defines; add its spec.yaml to `kits:` in the config");
            }
        }

        return PolicyExplainer.Explain(snapshot, host, canonical, port, sandboxName, kitNames, configuration);
    }

    // "host" is the gateway's own loopback clients (no kits); other names are the config's
    // static sandboxes and vmm's registrations; --kit adds kits on top, for trying a kit before
    // deploying it.
    private static List<string> SandboxKits(SandboxRegistry sandboxes, string sandbox, string[] kitPaths, List<KitSpec> loaded)
    {
        var names = new List<string>();
        if (sandbox != Sandboxes.Sandbox.Host.Name)
        {
            if (sandboxes.Find(sandbox, out string known) is not { } found)
            {
                throw new CliException($"unknown sandbox \"{sandbox}\"; known sandboxes: {known} (static ones come from `sandboxes:` in the config, the others from vmm's registrations in the state directory)");
            }

            names.AddRange(found.Kits);
        }

        // The --kit files are the last ones loaded.
        for (int i = loaded.Count - kitPaths.Length; i < loaded.Count; i++)
        {
            if (!names.Contains(loaded[i].Name))
            {
                names.Add(loaded[i].Name);
            }
        }

        return names;
    }

    internal static (string Host, int Port) SplitTarget(string text)
    {
        string host = text;
        string? port = null;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']', StringComparison.Ordinal);
            if (close > 0 && close + 1 < text.Length && text[close + 1] == ':')
            {
                host = text[..(close + 1)];
                port = text[(close + 2)..];
            }
        }
        else if (text.Count(c => c == ':') == 1)
        {
            int colon = text.IndexOf(':', StringComparison.Ordinal);
            host = text[..colon];
            port = text[(colon + 1)..];
        }

        if (port is null)
        {
            return (host, DefaultPort);
        }

        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value is < 1 or > 65535)
        {
            throw new CliException($"port \"{port}\" in \"{text}\" is not a port; use a number from 1 to 65535", ExitCodes.Usage);
        }

        return (host, value);
    }

    private static void Print(TextWriter output, ExplainResult result)
    {
        output.WriteLine($"config:    {result.Configuration}");
        output.WriteLine($"host:      {result.Host}{(result.Host == result.CanonicalHost ? string.Empty : $" (canonical: {result.CanonicalHost})")}");
        output.WriteLine($"port:      {result.Port}");
        output.WriteLine($"sandbox:   {result.Sandbox}{(result.Kits.Count == 0 ? string.Empty : " with kits " + string.Join(", ", result.Kits))}");
        output.WriteLine($"decision:  {result.Decision} ({result.Reason})");
        output.WriteLine($"rule:      {result.RuleId} (source: {result.Source}{(result.Scope == PolicyRule.AllSandboxes ? string.Empty : ", scope: " + result.Scope)}"
            + $"{(result.ExpiresAt is { } expires ? ", expires " + RuleRow.FormatExpiry(expires) : string.Empty)})");
        if (result.Pattern is not null)
        {
            output.WriteLine($"pattern:   {result.Pattern}");
        }

        if (result.Matches.Count > 1)
        {
            output.WriteLine("matched:");
            foreach (ExplainMatch match in result.Matches)
            {
                output.WriteLine($"  {match.Decision,-5}  {match.Pattern}  ({match.RuleId}{(match.Scope == PolicyRule.AllSandboxes ? string.Empty : ", " + match.Scope)})");
            }
        }

        if (result.Next is not null)
        {
            output.WriteLine(result.Next);
        }
    }
}
