using System.CommandLine;
using Vmm.Admin;
using Vmm.Sandboxes;

namespace Vmm.Cli;

/// <summary><c>vmm create NAME [--kind netns|microvm] [--kit PATH]… [--token] [--workdir DIR]</c>.</summary>
internal static class CreateCommand
{
    public static Command Create(VmmContext context)
    {
        var name = new Argument<string>("NAME") { Description = "Sandbox name: lowercase letters, digits and '-' (also the network namespace's name)" };
        var kind = new Option<string>("--kind")
        {
            Description = "netns (a network namespace) or microvm (a QEMU microVM)",
            DefaultValueFactory = _ => "netns",
            HelpName = "KIND",
        };
        kind.AcceptOnlyFromAmong([.. SandboxKinds.Names]);
        var kit = new Option<string[]>("--kit")
        {
            Description = "A kit's spec.yaml (or its directory); the gateway must load the same kit (config kits:). Repeatable",
            HelpName = "PATH",
            AllowMultipleArgumentsPerToken = false,
        };
        var token = new Option<bool>("--token")
        {
            Description = "Give the sandbox a proxy token: the forward proxy then requires it (it is in HTTP_PROXY inside the sandbox)",
        };
        var workdir = new Option<string?>("--workdir")
        {
            Description = "netns: a host directory mounted read-write at the same path inside (the rest of the host is read-only)",
            HelpName = "DIR",
        };
        var create = new Command(
            "create",
            "Create a sandbox, register it with the gateway, and print its address.\n\n"
            + "Examples:\n  vmm create dev\n  vmm create agent-1 --kind netns --kit ./my-kit/spec.yaml --workdir /srv/agent-1")
        {
            name, kind, kit, token, workdir,
        };
        create.SetAction(async (result, cancellation) =>
        {
            VmmContext.RequireRoot("vmm create");
            string sandbox = result.GetValue(name)!;
            if (!SandboxName.IsValid(sandbox))
            {
                throw new VmmException($"name \"{sandbox}\": use 1 to 63 lowercase letters, digits and '-', starting with a letter or digit (\"host\" is reserved)", ExitCodes.Usage);
            }

            string stateDirectory = context.StateDirectory(result);
            using GatewayAdmin admin = GatewayAdmin.For(stateDirectory);
            var manager = new SandboxManager(new SandboxStore(stateDirectory), admin, context.Error);
            SandboxRecord record = await manager.CreateAsync(
                new CreateRequest(sandbox, result.GetValue(kind)!, result.GetValue(kit) ?? [], result.GetValue(token), result.GetValue(workdir)), cancellation).ConfigureAwait(false);
            context.Out.WriteLine($"created {record.Kind} sandbox {record.Name}: address {record.SandboxAddress}, gateway {record.HostAddress} on {record.HostInterface}");
            return ExitCodes.Ok;
        });
        return create;
    }
}
