import Foundation
import PackagePlugin

/// Embeds `Resources/Views`, `Resources/openapi.json` and `Public/` into the server at build time
/// (regenerated whenever one of them changes), so the binary needs no files beside it.
@main
struct EmbedResources: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        let root = context.package.directoryURL
        var inputs: [URL] = []
        for folder in ["Resources/Views", "Public"] {
            let base = root.appending(path: folder)
            guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey]) else { continue }
            for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                inputs.append(url)
            }
        }
        inputs.append(root.appending(path: "Resources/openapi.json"))
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedResources.swift")
        return [.buildCommand(
            displayName: "Embedding pages, styles and the OpenAPI document",
            executable: try context.tool(named: "EmbedResourcesTool").url,
            arguments: [output.path, root.path] + inputs.map(\.path),
            inputFiles: inputs,
            outputFiles: [output])]
    }
}
