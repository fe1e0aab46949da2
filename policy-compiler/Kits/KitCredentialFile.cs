namespace PolicyCompiler.Kits;

/// <summary>A host file a credential is read from (<c>credentials.sources.ID.file</c>).</summary>
/// <param name="Path">The host path as written; a leading "~" stands for the home directory.</param>
/// <param name="Parser">Null to read the whole file (trimmed), or "json:a.b.c" to read one JSON field.</param>
public sealed record KitCredentialFile(string Path, string? Parser);
