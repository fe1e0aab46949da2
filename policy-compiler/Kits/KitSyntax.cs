namespace PolicyCompiler.Kits;

/// <summary>The lexical rules for names in a kit; each check returns the problem or null.</summary>
internal static class KitSyntax
{
    public const int MaxNameLength = 64;

    public static string? CheckKitName(string name)
    {
        if (name.Length == 0)
        {
            return "the name is empty; use lowercase letters, digits and hyphens, e.g. \"my-kit\"";
        }

        if (name.Length > MaxNameLength)
        {
            return $"\"{name}\" is longer than {MaxNameLength} characters";
        }

        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            {
                return $"\"{name}\" may hold only lowercase letters, digits and hyphens; use e.g. \"{Suggest(name)}\"";
            }
        }

        return name[0] == '-' || name[^1] == '-' || name.Contains("--", StringComparison.Ordinal)
            ? $"\"{name}\" must start and end with a letter or digit, with single hyphens between words; use e.g. \"{Suggest(name)}\""
            : null;
    }

    /// <summary>A shell identifier, <c>[A-Za-z_][A-Za-z0-9_]*</c>: anything else cannot be exported into the sandbox.</summary>
    public static string? CheckVariableName(string name)
    {
        bool valid = name.Length > 0 && !char.IsAsciiDigit(name[0]);
        foreach (char c in name)
        {
            valid &= char.IsAsciiLetterOrDigit(c) || c == '_';
        }

        return valid ? null : $"\"{name}\" is not a valid environment variable name; use letters, digits and \"_\", not starting with a digit";
    }

    /// <summary>A credential source id: it appears in paths, logs and audit events, so keep it plain.</summary>
    public static string? CheckSourceName(string name)
    {
        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return $"source id \"{name}\" may hold only letters, digits, \"-\", \"_\" and \".\"";
            }
        }

        return null;
    }

    /// <summary>RFC 9110 §5.6.2 token: header names and methods.</summary>
    public static bool IsToken(string text)
    {
        if (text.Length == 0)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    private static string Suggest(string name)
    {
        var chars = new List<char>(name.Length);
        foreach (char c in name.ToLowerInvariant())
        {
            char mapped = char.IsAsciiLetterOrDigit(c) ? c : '-';
            if (mapped != '-' || (chars.Count > 0 && chars[^1] != '-'))
            {
                chars.Add(mapped);
            }
        }

        string suggestion = new string([.. chars]).TrimEnd('-');
        return suggestion.Length == 0 ? "my-kit" : suggestion;
    }
}
