namespace Gateway.Tests.Protocols;

/// <summary>A fact that needs the <c>openssl</c> command line tool; skipped, saying so, where it is not on PATH.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OpenSslFactAttribute : FactAttribute
{
    public OpenSslFactAttribute()
    {
        if (Path is null)
        {
            Skip = "openssl is not on PATH: install it (apt-get install openssl) to capture a real ClientHello";
        }
    }

    /// <summary>Where openssl is, or null.</summary>
    public static string? Path { get; } = Find();

    private static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => System.IO.Path.Combine(directory, "openssl"))
            .FirstOrDefault(File.Exists);
}
