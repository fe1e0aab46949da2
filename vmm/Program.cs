using System.CommandLine;

namespace Vmm;

/// <summary>Entry point of `vmm`, the sandbox manager. Only its command surface exists so far.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand(
            "vmm: creates sandboxes (network namespaces or microVMs) whose only way out is the egress gateway.\n"
            + "Not implemented yet: this build only describes the commands to come.\n\n"
            + "Example:\n  vmm create dev --kind netns --kit ./my-kit/spec.yaml");
        foreach ((string name, string description) in new[]
        {
            ("create", "Create a sandbox: vmm create NAME [--kind netns|microvm] [--kit PATH]"),
            ("exec", "Run a command inside a sandbox: vmm exec NAME -- CMD..."),
            ("ls", "List sandboxes"),
            ("rm", "Remove a sandbox and everything created for it: vmm rm NAME"),
        })
        {
            var command = new Command(name, description) { TreatUnmatchedTokensAsErrors = false };
            command.SetAction(_ =>
            {
                Console.Error.WriteLine($"vmm {name}: not implemented yet; the sandbox manager arrives in a later release");
                return 1;
            });
            root.Add(command);
        }

        ParseResult result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
            {
                Console.Error.WriteLine(error.Message);
            }

            return 2;
        }

        return result.Invoke();
    }
}
