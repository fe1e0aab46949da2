namespace Gateway.Configuration;

/// <summary>
/// Where a raw node came from, so a problem names the place to fix it: a file and line,
/// an environment variable, or nowhere (a default).
/// </summary>
/// <param name="File">The configuration file as the operator named it, for YAML nodes.</param>
/// <param name="Line">1-based line in <paramref name="File"/>.</param>
/// <param name="Variable">The environment variable (or the prefix shared by several), for overrides.</param>
/// <param name="BaseDirectory">Relative paths in this node are relative to this directory.</param>
internal readonly record struct ConfigOrigin(string? File, int Line, string? Variable, string BaseDirectory)
{
    /// <summary>True for nodes from the environment, whose keys match case-insensitively.</summary>
    public bool IsEnvironment => Variable is not null;

    /// <summary>A node read from line <paramref name="line"/> of <paramref name="file"/>.</summary>
    public static ConfigOrigin Yaml(string file, int line, string baseDirectory) => new(file, line, null, baseDirectory);

    /// <summary>A node set by <paramref name="variable"/>.</summary>
    public static ConfigOrigin Environment(string variable, string baseDirectory) => new(null, 0, variable, baseDirectory);

    /// <summary>A default value: problems name only the key.</summary>
    public static ConfigOrigin Default(string baseDirectory) => new(null, 0, null, baseDirectory);

    /// <summary>
    /// One operator-facing line: <c>file:line: key: problem</c> for YAML, <c>VARIABLE: problem</c>
    /// for the environment (the variable already names the key), <c>key: problem</c> otherwise.
    /// </summary>
    public string Format(string keyPath, string problem) =>
        Variable is not null ? $"{Variable}: {problem}"
        : File is not null ? $"{File}:{Line}: {keyPath}: {problem}"
        : $"{keyPath}: {problem}";
}
