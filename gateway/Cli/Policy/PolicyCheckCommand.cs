using System.CommandLine;
using System.Text.Json;
using Gateway.Configuration;
using PolicyCompiler.Kits;
using PolicyCompiler.Yaml;

namespace Gateway.Cli.Policy;

/// <summary>`gateway policy check FILE…`: validate kits and gateway configs without a daemon.</summary>
internal static class PolicyCheckCommand
{
    // Keys only a kit has at the top level; anything else is read as a gateway config.
    private static readonly string[] s_kitKeys = ["schemaVersion", "kind", "name"];

    public static Command Create(CliContext context)
    {
        var files = new Argument<string[]>("FILE") { Description = "Kit spec.yaml files (or kit directories) and gateway config files", Arity = ArgumentArity.OneOrMore };
        Option<bool> json = PolicyCommand.JsonOption();
        var command = new Command(
            "check",
            "Validate kit spec.yaml files and gateway configuration files, reporting every problem with its line. "
            + "Exits 1 when any file has a problem.\n\n"
            + "Examples:\n  gateway policy check ./my-kit/spec.yaml\n  gateway policy check /etc/egress-gateway/gateway.yaml kits/*/spec.yaml")
        {
            files,
            json,
        };
        command.SetAction(result =>
        {
            var results = new List<CheckResult>();
            foreach (string file in result.GetRequiredValue(files))
            {
                results.Add(Check(file, context));
            }

            if (result.GetValue(json))
            {
                context.Out.WriteLine(JsonSerializer.Serialize(results, CliJsonContext.Default.ListCheckResult));
            }
            else
            {
                foreach (CheckResult checkResult in results)
                {
                    if (checkResult.Valid)
                    {
                        context.Out.WriteLine($"{checkResult.File}: ok ({checkResult.Summary})");
                    }

                    foreach (string error in checkResult.Errors)
                    {
                        context.Error.WriteLine(error);
                    }
                }
            }

            int bad = results.Count(r => !r.Valid);
            if (bad > 0)
            {
                context.Error.WriteLine($"gateway: {bad} of {results.Count} file{(results.Count == 1 ? string.Empty : "s")} ha{(bad == 1 ? "s" : "ve")} problems");
                return ExitCodes.Failure;
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static CheckResult Check(string given, CliContext context)
    {
        string file = Directory.Exists(given) ? Path.Combine(given, "spec.yaml") : given;
        if (!File.Exists(file))
        {
            return new CheckResult(given, "unknown", false, null, [$"{given}: no such file"]);
        }

        var errors = new List<string>();
        if (LooksLikeKit(file))
        {
            var kitErrors = new List<KitError>();
            if (KitParser.TryLoad(file, out KitSpec? kit, kitErrors))
            {
                string summary = $"kit \"{kit.Name}\": {kit.Network.AllowedDomains.Length} allowed, {kit.Network.DeniedDomains.Length} denied, "
                    + $"{kit.Network.ServiceDomains.Count} credential-bound domains";
                return new CheckResult(given, "kit", true, summary, []);
            }

            foreach (KitError error in kitErrors)
            {
                errors.Add(error.ToString());
            }

            return new CheckResult(given, "kit", false, null, errors);
        }

        // Checked as written: environment overrides belong to a running gateway, not to the file.
        if (ConfigLoader.TryLoad(file, ConfigLoader.NoEnvironment, out GatewayConfig config, errors))
        {
            string summary = $"gateway config: forward {config.Listen.Forward?.ToString() ?? "off"}, initial default "
                + $"{PolicyCompiler.Groups.DefaultPolicies.ToName(config.Policy.InitialDefault)}, {config.Kits.Length} kit entries, {config.Sandboxes.Length} sandboxes";
            return new CheckResult(given, "config", true, summary, []);
        }

        return new CheckResult(given, "config", false, null, errors);
    }

    private static bool LooksLikeKit(string file)
    {
        // The one reader, aliases refused: a file being checked may be someone else's kit.
        ConfigNode? root = null;
        try
        {
            root = YamlDocumentReader.Read(File.ReadAllText(file), file, allowAliases: false, []);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unreadable: the loader below reports it.
        }

        if (root is not { Kind: ConfigNodeKind.Mapping })
        {
            // Broken YAML: let the kit parser report it when the name says kit.
            return Path.GetFileName(file) == "spec.yaml";
        }

        foreach (ConfigEntry entry in root.Entries)
        {
            if (Array.IndexOf(s_kitKeys, entry.Key) >= 0)
            {
                return true;
            }
        }

        return false;
    }
}
