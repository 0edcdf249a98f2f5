"""What the first screens after login list: the grid worker's due work and the
supervisor's figures of their scope, each read as the user (row-level security decides
what is counted), from the areas' own functions where they have them."""
