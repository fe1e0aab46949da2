namespace Gateway.Tests.Docs;

/// <summary>Files of the checkout the tests were built from: the README, ops/, the Dockerfile.</summary>
internal static class RepoFiles
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    /// <summary>The directory holding Gateway.sln.</summary>
    public static string Root => s_root.Value;

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    /// <summary>The built gateway for process tests: the copy next to this test assembly, run with <c>dotnet</c>.</summary>
    public static string GatewayDll => Path.Combine(AppContext.BaseDirectory, "gateway.dll");

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no directory above {AppContext.BaseDirectory} holds Gateway.sln");
    }
}
