namespace PolicyCompiler.Yaml;

/// <summary>What a configuration or kit node holds.</summary>
public enum ConfigNodeKind
{
    /// <summary>An explicit null: YAML <c>null</c>, <c>~</c> or nothing; an empty environment variable.</summary>
    Null,

    /// <summary>One value, always text until validated.</summary>
    Scalar,

    /// <summary>Keys to nodes.</summary>
    Mapping,

    /// <summary>A list.</summary>
    Sequence,
}
