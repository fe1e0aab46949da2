using System.Diagnostics.CodeAnalysis;
using PolicyCompiler.Yaml;

namespace PolicyCompiler.Kits;

/// <summary>
/// Reads a kit's spec.yaml (schemaVersion "1"). Every problem is reported, each naming the file,
/// line and key path, and a kit is returned only when there are none. Unknown keys are errors: a
/// misspelt <c>deniedDomains</c> must not silently leave a host reachable.
/// </summary>
public static class KitParser
{
    /// <summary>The only schema version this parser reads.</summary>
    public const string SchemaVersion = "1";

    private static readonly string[] s_interpreted =
        ["schemaVersion", "kind", "name", "displayName", "description", "network", "credentials", "environment"];

    // Sections of the kit format that concern the VM manager, not the gateway: accepted as they are.
    // "agent" and "memory" are the names "sandbox" and "agentContext" had before sbx 0.32.
    private static readonly string[] s_passThrough =
        ["commands", "agentContext", "memory", "sandbox", "agent", "publishedPorts", "tmpfs", "volumes", "settings", "kitDir", "persistence"];

    private static readonly string[] s_topLevel = [.. s_interpreted, .. s_passThrough];

    /// <summary>Reads and parses the kit file at <paramref name="path"/>; messages name the file as given.</summary>
    /// <returns>True with a kit when the file is valid; false with at least one error added otherwise.</returns>
    public static bool TryLoad(string path, [NotNullWhen(true)] out KitSpec? kit, List<KitError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            kit = null;
            errors.Add(new KitError(path, 0, 0, "", $"cannot read the kit file: {e.Message}"));
            return false;
        }

        return TryParse(text, path, out kit, errors);
    }

    /// <summary>Parses the text of a kit file.</summary>
    /// <param name="yamlText">The YAML text.</param>
    /// <param name="filePath">The file name used in messages.</param>
    /// <param name="kit">The kit, when valid.</param>
    /// <param name="errors">Receives every problem, in line order.</param>
    /// <returns>True with a kit when the text is valid; false with at least one error added otherwise.</returns>
    public static bool TryParse(string yamlText, string filePath, [NotNullWhen(true)] out KitSpec? kit, List<KitError> errors)
    {
        ArgumentNullException.ThrowIfNull(yamlText);
        ArgumentNullException.ThrowIfNull(filePath);
        ArgumentNullException.ThrowIfNull(errors);
        kit = null;
        var reader = new KitNodeReader(filePath);
        if (Load(yamlText, reader) is { } root)
        {
            kit = Parse(reader, root, filePath);
        }

        // Sections are read in dependency order, not file order; operators read errors top to bottom.
        errors.AddRange(reader.Errors.OrderBy(e => e.Line).ThenBy(e => e.Column));
        if (reader.Errors.Count > 0)
        {
            kit = null;
        }

        return kit is not null;
    }

    private static ConfigNode? Load(string yamlText, KitNodeReader reader)
    {
        // Kits are shared (Git URLs, archives): aliases, which let a small file stand for a huge
        // document, are refused; no kit needs them.
        var problems = new List<YamlProblem>();
        ConfigNode? root = YamlDocumentReader.Read(yamlText, reader.FilePath, allowAliases: false, problems);
        foreach (YamlProblem problem in problems)
        {
            reader.Error(problem.Line, problem.Column, "", problem.Message);
        }

        if (root is null && problems.Count == 0)
        {
            reader.Error(0, 0, "", $"the file is empty; a kit needs at least schemaVersion: \"{SchemaVersion}\", kind and name");
        }

        return root;
    }

    private static KitSpec? Parse(KitNodeReader reader, ConfigNode root, string filePath)
    {
        if (reader.Mapping(root, "") is not { } mapping)
        {
            return null;
        }

        var fields = reader.Fields(mapping, "", s_topLevel, SectionHints.ForTopLevel);
        string? Scalar(string key, bool required)
        {
            if (fields.TryGetValue(key, out var field))
            {
                return reader.String(field.Value, key, required);
            }

            if (required)
            {
                reader.Error(mapping, "", $"missing required key \"{key}\"");
            }

            return null;
        }

        string? version = Scalar("schemaVersion", required: true);
        if (version is not null && version != SchemaVersion)
        {
            reader.Error(fields["schemaVersion"].Value, "schemaVersion", $"version \"{version}\" is not supported; this gateway reads \"{SchemaVersion}\"");
        }

        KitKind? kind = Scalar("kind", required: true) switch
        {
            null => null,
            "mixin" => KitKind.Mixin,
            "sandbox" or "agent" => KitKind.Sandbox,
            { } other => Invalid(reader, fields["kind"].Value, "kind", $"\"{other}\" is not a kit kind; use mixin or sandbox"),
        };

        string? name = Scalar("name", required: true);
        if (name is not null && KitSyntax.CheckKitName(name) is { } nameProblem)
        {
            reader.Error(fields["name"].Value, "name", nameProblem);
            name = null;
        }

        string? displayName = Scalar("displayName", required: false);
        string? description = Scalar("description", required: false);
        KitCredentials credentials = fields.TryGetValue("credentials", out var credentialsField)
            ? KitCredentialsParser.Parse(reader, credentialsField.Value, "credentials")
            : KitCredentials.Empty;
        KitNetwork network = fields.TryGetValue("network", out var networkField)
            ? KitNetworkParser.Parse(reader, networkField.Value, "network", credentials)
            : KitNetwork.Empty;
        KitEnvironment environment = fields.TryGetValue("environment", out var environmentField)
            ? KitEnvironmentParser.Parse(reader, environmentField.Value, "environment", credentials)
            : KitEnvironment.Empty;

        return name is null || kind is null
            ? null
            : new KitSpec(name, displayName, description, kind.Value, filePath, network, credentials, environment);
    }

    private static KitKind? Invalid(KitNodeReader reader, ConfigNode node, string path, string message)
    {
        reader.Error(node, path, message);
        return null;
    }
}
