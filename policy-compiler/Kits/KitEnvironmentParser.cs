using System.Collections.Immutable;
using PolicyCompiler.Yaml;

namespace PolicyCompiler.Kits;

/// <summary>Reads the <c>environment</c> section; credentials are read first so proxy-managed names can be checked.</summary>
internal static class KitEnvironmentParser
{
    private static readonly string[] s_keys = ["variables", "proxyManaged"];

    public static KitEnvironment Parse(KitNodeReader reader, ConfigNode node, string path, KitCredentials credentials)
    {
        if (KitNodeReader.IsNull(node) || reader.Mapping(node, path) is not { } section)
        {
            return KitEnvironment.Empty;
        }

        var fields = reader.Fields(section, path, s_keys);
        var variables = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        string variablesPath = KitNodeReader.Child(path, "variables");
        if (fields.TryGetValue("variables", out var variablesField) && !KitNodeReader.IsNull(variablesField.Value)
            && reader.Mapping(variablesField.Value, variablesPath) is { } mapping)
        {
            foreach ((string name, ConfigOrigin key, ConfigNode value) in mapping.Entries)
            {
                string entryPath = KitNodeReader.Child(variablesPath, name);
                if (KitSyntax.CheckVariableName(name) is { } problem)
                {
                    reader.Error(key, entryPath, problem);
                }
                else
                {
                    variables[name] = reader.String(value, entryPath) ?? "";
                }
            }
        }

        var readable = new HashSet<string>(StringComparer.Ordinal);
        foreach (KitCredentialSource source in credentials.Sources.Values)
        {
            readable.UnionWith(source.Variables());
        }

        var proxyManaged = ImmutableArray.CreateBuilder<string>();
        if (fields.TryGetValue("proxyManaged", out var managedField))
        {
            foreach ((ConfigNode item, string itemPath) in reader.Items(managedField.Value, KitNodeReader.Child(path, "proxyManaged")))
            {
                if (reader.String(item, itemPath, required: true) is not { } name)
                {
                    continue;
                }

                if (KitSyntax.CheckVariableName(name) is { } problem)
                {
                    reader.Error(item, itemPath, problem);
                }
                else if (!readable.Contains(name))
                {
                    // The gateway can substitute only a value it knows how to read on the host.
                    reader.Error(item, itemPath, $"\"{name}\" is not read by any credential source, so the proxy has no value to substitute; add it to a source's env list (credentials.sources.<id>.env, or a nested value's env) or remove it");
                }
                else if (variables.ContainsKey(name))
                {
                    reader.Error(item, itemPath, $"\"{name}\" is also set in {variablesPath}; a proxy-managed variable gets a placeholder, so remove it from variables");
                }
                else if (!proxyManaged.Contains(name))
                {
                    proxyManaged.Add(name);
                }
            }
        }

        return new KitEnvironment(variables.ToImmutable(), proxyManaged.ToImmutable());
    }
}
