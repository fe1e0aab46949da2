namespace PolicyCompiler.Yaml;

/// <summary>Why a YAML text could not be read as one document; each reader words it for its own file kind.</summary>
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
}
