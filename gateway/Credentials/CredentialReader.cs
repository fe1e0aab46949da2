using System.Text.Json;
using PolicyCompiler.Kits;

namespace Gateway.Credentials;

/// <summary>
/// Reads an env/file credential at request time from the gateway host (environment variables, then
/// or before a file, as the source says). Nothing is cached: a rotated token is used on the next
/// request, and a removed one stops injection at once. Values never leave this class but as the
/// return value; failures are described without them.
/// </summary>
internal static class CredentialReader
{
    /// <summary>The credential of <paramref name="source"/>; null when no place it names has a non-empty value.</summary>
    public static string? Read(KitCredentialSource source) =>
        source.Priority == KitCredentialPriority.FileFirst
            ? ReadFile(source.File) ?? ReadEnvironment(source)
            : ReadEnvironment(source) ?? ReadFile(source.File);

    /// <summary>The host value of one proxy-managed variable; null when unset or empty.</summary>
    public static string? ReadVariable(string name) => NonEmpty(Environment.GetEnvironmentVariable(name));

    /// <summary>Where <paramref name="source"/> looked, for an error body: names and paths, never values.</summary>
    public static string Describe(KitCredentialSource source)
    {
        if (source.Command is { } command)
        {
            return "command " + command.Argv[0];
        }

        string env = source.Env.IsEmpty ? "" : "environment " + string.Join(", ", source.Env);
        string file = source.File is null ? "" : "file " + source.File.Path;
        return env.Length > 0 && file.Length > 0 ? env + " and " + file : env + file;
    }

    private static string? ReadEnvironment(KitCredentialSource source)
    {
        foreach (string name in source.Env)
        {
            if (ReadVariable(name) is { } value)
            {
                return value;
            }
        }

        return null;
    }

    private static string? ReadFile(KitCredentialFile? file)
    {
        if (file is null)
        {
            return null;
        }

        string path = file.Path.StartsWith('~')
            ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + file.Path[1..]
            : file.Path;
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return file.Parser is { } parser && parser.StartsWith("json:", StringComparison.Ordinal)
            ? ReadJsonField(text, parser["json:".Length..])
            : NonEmpty(text.Trim());
    }

    private static string? ReadJsonField(string text, string dotPath)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            JsonElement element = document.RootElement;
            foreach (string name in dotPath.Split('.'))
            {
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
                {
                    return null;
                }
            }

            return element.ValueKind == JsonValueKind.String ? NonEmpty(element.GetString()) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
