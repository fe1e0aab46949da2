namespace PolicyCompiler.Yaml;

/// <summary>Why a YAML text could not be read as one document; worded alike for configuration and kits by <see cref="YamlProblem.Message"/>.</summary>
public enum YamlProblemKind
{
    /// <summary>Not YAML at all; <see cref="YamlProblem.Detail"/> says why.</summary>
    Syntax,

    /// <summary>The same key twice in one mapping; <see cref="YamlProblem.Detail"/> is the key.</summary>
    DuplicateKey,

    /// <summary>An unterminated flow list or mapping that YamlDotNet reports without a position.</summary>
    Unterminated,

    /// <summary>An alias (<c>*name</c>) where aliases are refused; <see cref="YamlProblem.Detail"/> is its name.</summary>
    Alias,

    /// <summary>A second document after <c>---</c>; the first is still returned.</summary>
    ExtraDocument,

    /// <summary>A key that is a list, a mapping or nothing; the entry is left out, the rest still returned.</summary>
    KeyNotAName,

    /// <summary>Sections or lists nested deeper than <see cref="YamlDocumentReader.MaxDepth"/>; <see cref="YamlProblem.Detail"/> is that limit.</summary>
    TooDeep,
}
