namespace PolicyCompiler.Yaml;

/// <summary>
/// A node of a gateway configuration or a kit, before validation: what <see cref="YamlDocumentReader"/>
/// reads and environment overrides are merged into, each node remembering its origin (file, line,
/// column, key path, or the variable that set it). Mutable only while it is being built.
/// </summary>
public sealed class ConfigNode
{
    private ConfigNode(ConfigNodeKind kind, string? value, ConfigOrigin origin)
    {
        Kind = kind;
        Value = value;
        Origin = origin;
    }

    /// <summary>What the node holds.</summary>
    public ConfigNodeKind Kind { get; }

    /// <summary>The text of a scalar; null otherwise.</summary>
    public string? Value { get; }

    /// <summary>Where the node came from.</summary>
    public ConfigOrigin Origin { get; }

    /// <summary>The keys of a mapping, in the order written.</summary>
    public List<ConfigEntry> Entries { get; } = [];

    /// <summary>The items of a sequence.</summary>
    public List<ConfigNode> Items { get; } = [];

    /// <summary>An explicit null.</summary>
    public static ConfigNode Null(ConfigOrigin origin) => new(ConfigNodeKind.Null, null, origin);

    /// <summary>A scalar.</summary>
    public static ConfigNode Scalar(string value, ConfigOrigin origin) => new(ConfigNodeKind.Scalar, value, origin);

    /// <summary>An empty mapping.</summary>
    public static ConfigNode Mapping(ConfigOrigin origin) => new(ConfigNodeKind.Mapping, null, origin);

    /// <summary>An empty sequence.</summary>
    public static ConfigNode Sequence(ConfigOrigin origin) => new(ConfigNodeKind.Sequence, null, origin);

    /// <summary>How the node reads in a message: "a value", "a section", "a list", "null".</summary>
    public string Describe() => Kind switch
    {
        ConfigNodeKind.Scalar => "a value",
        ConfigNodeKind.Mapping => "a section",
        ConfigNodeKind.Sequence => "a list",
        _ => "null",
    };

    /// <summary>The first entry whose key is <paramref name="key"/> (ignoring case), or null.</summary>
    public ConfigEntry? FindIgnoringCase(string key)
    {
        foreach (ConfigEntry entry in Entries)
        {
            if (string.Equals(entry.Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return entry;
            }
        }

        return null;
    }
}
