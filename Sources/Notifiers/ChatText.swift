/// Text limits of the chat services. Pure.
enum ChatText {
    /// `text` cut to at most `bytes` UTF-8 bytes on a character boundary, with "…" when cut.
    static func truncated(_ text: String, bytes: Int) -> String {
        guard text.utf8.count > bytes else { return text }
        var kept = ""
        var count = 0
        for character in text {
            let size = character.utf8.count
            if count + size > bytes - 3 { break }
            kept.append(character)
            count += size
        }
        return kept + "…"
    }
}
