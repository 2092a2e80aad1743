"""Server-side apply: field sets, field values and the managers that own them (managedFields)."""
